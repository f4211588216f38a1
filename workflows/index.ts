// The workflows this worker runs (the bundle's entry point). The bundle's modules are evaluated
// again for every workflow the worker creates or replays: the rule set workflow's modules (AJV and
// the rule set checks) are loaded only by rule set workflows, not by the many contracts.
import type { documentPdfWorkflow as DocumentPdfWorkflow } from './documents.js';
import type { portfolioReviewWorkflow as PortfolioReviewWorkflow } from './portfolio/index.js';
import type { ruleSetWorkflow as RuleSetWorkflow } from './ruleset.js';

export { contractWorkflow } from './contract/index.js';

export async function ruleSetWorkflow(
  ...args: Parameters<typeof RuleSetWorkflow>
): ReturnType<typeof RuleSetWorkflow> {
  // Eager: in the bundle, without a chunk of its own, evaluated when first imported.
  const { ruleSetWorkflow: run } = await import(/* webpackMode: "eager" */ './ruleset.js');
  return run(...args);
}

export async function portfolioReviewWorkflow(
  ...args: Parameters<typeof PortfolioReviewWorkflow>
): ReturnType<typeof PortfolioReviewWorkflow> {
  const { portfolioReviewWorkflow: run } = await import(/* webpackMode: "eager" */ './portfolio/index.js');
  return run(...args);
}

export async function documentPdfWorkflow(
  ...args: Parameters<typeof DocumentPdfWorkflow>
): ReturnType<typeof DocumentPdfWorkflow> {
  const { documentPdfWorkflow: run } = await import(/* webpackMode: "eager" */ './documents.js');
  return run(...args);
}
