// What a rule-runner thread does (./index.ts starts it): validate a rule-set document with its
// test cases, try a rule set on one period, or simulate a rule set over contracts. It runs off the server's event loop and off the
// workflows, under a memory limit, so no rule can stall or exhaust either.
import { parentPort } from 'node:worker_threads';
import type { RuleSetDraft } from '../../model/ruleset.js';
import { RuleError } from '../../rules/engine/index.js';
import type { Indicator } from '../../model/contract.js';
import { validateRuleSetDocument } from '../../rules/ruleset-validation.js';
import type { PeriodContext } from '../../rules/scoring.js';
import { tryPeriod } from '../../rules/try-period.js';
import { decodeFigures } from '../../rules/simulation-figures.js';
import { simulatePart, type SimulationContract, type SimulationOptions } from '../../rules/simulate.js';

export type Task =
  | { kind: 'validate'; document: unknown }
  | {
      kind: 'try';
      ruleSet: RuleSetDraft;
      indicators: Indicator[];
      actuals: Record<string, number | null>;
      period: string;
      context?: PeriodContext;
    }
  | {
      kind: 'simulate';
      ruleSet: RuleSetDraft;
      /** The share's contracts, [id, version], in order. */
      contracts: readonly (readonly [string, number])[];
      /** Figures as stored, [id, version, text], of contracts this thread said it lacks. */
      figures: [string, number, string][];
      /** The whole portfolio's share: contracts outside it are forgotten. */
      whole: boolean;
      /** Stored text of the figures this thread keeps decoded, at most (UTF-16 code units). */
      cacheBytes: number;
      /** Contracts with periods to show to keep, the first ones. */
      keep: number;
      /** Whether to validate the rule set too (one share of a simulation does). */
      validate: boolean;
      /** Only read and keep the share's figures (a warm-up before the office asks): nothing is scored. */
      loadOnly?: boolean;
      options: SimulationOptions;
    };

export type Answer =
  | { ok: true; result: unknown }
  | { ok: false; ruleError?: { message: string; pointer: string; code: string }; message: string };

interface Figures {
  version: number;
  contract: SimulationContract;
  /** Length of the stored text, what the cache counts. */
  size: number;
}

/** Decoded figures kept between simulations, by contract id, and the length of their texts. */
const cache = new Map<string, Figures>();
let cached = 0;

function forget(id: string): void {
  cached -= cache.get(id)?.size ?? 0;
  cache.delete(id);
}

function run(task: Task): unknown {
  if (task.kind === 'validate') return validateRuleSetDocument(task.document);
  if (task.kind === 'try')
    return tryPeriod(task.ruleSet, task.indicators, task.actuals, task.period, task.context);
  const sent = new Map<string, Figures>();
  for (const [id, version, text] of task.figures)
    sent.set(id, { version, contract: decodeFigures(text), size: text.length });
  // A projection newer than the list's serves: it is what the contract is now.
  const known = (id: string, version: number) => {
    const found = sent.get(id) ?? cache.get(id);
    return found && found.version >= version ? found.contract : undefined;
  };
  const missing = task.contracts.filter(([id, version]) => !known(id, version)).map(([id]) => id);
  if (missing.length > 0) return { missing };
  if (task.whole) {
    const share = new Set(task.contracts.map(([id]) => id));
    for (const id of cache.keys()) if (!share.has(id)) forget(id);
  }
  for (const [id, entry] of sent) {
    forget(id);
    if (cached + entry.size > task.cacheBytes) continue;
    cache.set(id, entry);
    cached += entry.size;
  }
  if (task.loadOnly) return { loaded: task.contracts.length };
  const contracts = task.contracts.map(([id, version]) => known(id, version)!);
  return {
    validation: task.validate ? validateRuleSetDocument(task.ruleSet) : undefined,
    part: simulatePart(task.ruleSet, contracts, { ...task.options, keep: task.keep }),
  };
}

parentPort!.on('message', ({ id, task }: { id: number; task: Task }) => {
  let answer: Answer;
  try {
    answer = { ok: true, result: run(task) };
  } catch (err) {
    answer =
      err instanceof RuleError
        ? {
            ok: false,
            ruleError: { message: err.message, pointer: err.pointer, code: err.code },
            message: err.message,
          }
        : { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage({ id, answer });
});
