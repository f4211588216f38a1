// What a rule-runner thread does (./index.ts starts it): validate a rule-set document with its
// test cases, or simulate a rule set over contracts. It runs off the server's event loop and off the
// workflows, under a memory limit, so no rule can stall or exhaust either.
import { parentPort } from 'node:worker_threads';
import type { RuleSetDraft } from '../../model/ruleset.js';
import { RuleError } from '../../rules/engine/index.js';
import { validateRuleSetDocument } from '../../rules/ruleset-validation.js';
import { simulate, type SimulationContract, type SimulationOptions } from '../../rules/simulate.js';

export type Task =
  | { kind: 'validate'; document: unknown }
  | { kind: 'simulate'; ruleSet: RuleSetDraft; contracts: SimulationContract[]; options: SimulationOptions };

export type Answer =
  | { ok: true; result: unknown }
  | { ok: false; ruleError?: { message: string; pointer: string; code: string }; message: string };

function run(task: Task): unknown {
  if (task.kind === 'validate') return validateRuleSetDocument(task.document);
  return {
    validation: validateRuleSetDocument(task.ruleSet),
    simulation: simulate(task.ruleSet, task.contracts, task.options),
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
