// The workflows this worker runs (the bundle's entry point).
export { contractWorkflow } from './contract/index.js';
export { ruleSetWorkflow } from './ruleset.js';
