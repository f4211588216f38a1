// `covenant rules validate|test|eval|explain|simulate`: the rule-set tools, on files, with no server.
// Diagnostics print as `FILE: /pointer: message` (warnings marked), so editors and CI can point at
// them; the exit code is 1 when something is wrong, 2 for a command used wrongly.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ContractState } from '../../model/state.js';
import { describeTrace, explain, evaluate, RuleError } from '../../rules/engine/index.js';
import { slotsOf } from '../../rules/ruleset-slots.js';
import { runRuleSetTests } from '../../rules/ruleset-tests.js';
import {
  schemaErrors,
  validateRuleSetDocument,
  type RuleSetDiagnostic,
} from '../../rules/ruleset-validation.js';
import { simulate, simulationContract, type Outcome, type SimulationResult } from '../../rules/simulate.js';
import type { RuleSetDraft } from '../../model/ruleset.js';
import { UsageError } from './usage-error.js';

export const RULES_USAGE = `Usage:
  covenant rules validate FILE...        check rule sets: schema, every rule, their test cases
  covenant rules test FILE...            run the rule sets' test cases
  covenant rules eval FILE --slot SLOT (--data JSON | --data-file FILE)
  covenant rules explain FILE --slot SLOT (--data JSON | --data-file FILE)
      SLOT: scoring.indicator, scoring.composite, scoring.grade, renewal.target,
            guards.<id> or escalations.<id>
  covenant rules simulate FILE --contracts FILE [--only-changed] [--json]
      FILE: a rule set; --contracts: contract states as GET /api/v1/contracts/:id returns them
      (a list, or { "contracts": [...] })`;

type Print = (line: string) => void;

/** Runs a rules command; returns the process exit code. */
export function rulesCommand(args: string[], print: Print): number {
  const [action, ...rest] = args;
  switch (action) {
    case 'validate':
      return validateFiles(files(rest), print);
    case 'test':
      return testFiles(files(rest), print);
    case 'eval':
    case 'explain':
      return runSlot(action, rest, print);
    case 'simulate':
      return simulateFile(rest, print);
    default:
      throw new UsageError(
        action ? `Unknown rules command '${action}'.` : 'Which rules command?',
        RULES_USAGE,
      );
  }
}

function validateFiles(paths: string[], print: Print): number {
  let failed = false;
  for (const path of paths) {
    const document = readJson(path, print);
    if (document === undefined) {
      failed = true;
      continue;
    }
    const { valid, diagnostics, tests } = validateRuleSetDocument(document);
    for (const d of diagnostics) printDiagnostic(path, d, print);
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = diagnostics.length - errors;
    const testsLine = `${tests.passed} of ${tests.run} test${tests.run === 1 ? '' : 's'} pass`;
    print(
      valid
        ? `${path}: valid; ${testsLine}${warnings ? `; ${plural(warnings, 'warning')}` : ''}`
        : `${path}: ${plural(errors, 'error')}${warnings ? `, ${plural(warnings, 'warning')}` : ''}; ${testsLine}; not publishable`,
    );
    failed ||= !valid;
  }
  return failed ? 1 : 0;
}

function testFiles(paths: string[], print: Print): number {
  let failed = false;
  for (const path of paths) {
    const document = readJson(path, print);
    if (document === undefined) {
      failed = true;
      continue;
    }
    const outcomes = runRuleSetTests(document);
    for (const o of outcomes) {
      if (o.passed) {
        print(`  ok    ${o.description}`);
        continue;
      }
      print(`  FAIL  ${o.description}`);
      print(`${path}: /tests/${o.index}: ${o.slot}: ${o.message ?? 'failed'}`);
      for (const line of o.trace ?? []) print(`        ${line}`);
    }
    const passed = outcomes.filter((o) => o.passed).length;
    print(
      outcomes.length === 0
        ? `${path}: no test cases`
        : `${path}: ${passed} of ${plural(outcomes.length, 'test')} pass`,
    );
    failed ||= passed < outcomes.length;
  }
  return failed ? 1 : 0;
}

function runSlot(action: 'eval' | 'explain', args: string[], print: Print): number {
  const { values, positionals } = parse(args, {
    slot: { type: 'string' },
    data: { type: 'string' },
    'data-file': { type: 'string' },
  });
  const path = onlyFile(positionals);
  const slotRef = stringOption(values.slot);
  if (!slotRef) throw new UsageError('--slot is required.', RULES_USAGE);
  const data = dataOption(stringOption(values.data), stringOption(values['data-file']));
  const document = readJson(path, print);
  if (document === undefined) return 1;
  const slots = slotsOf(document);
  const slot = slots.find((s) => s.ref === slotRef);
  if (!slot) {
    throw new UsageError(
      `${path} has no rule at slot '${slotRef}'; its slots: ${slots.map((s) => s.ref).join(', ')}.`,
    );
  }
  try {
    if (action === 'eval') {
      print(JSON.stringify(evaluate(slot.rule, data)));
    } else {
      const trace = explain(slot.rule, data);
      for (const line of describeTrace(trace)) print(line);
      print(`= ${JSON.stringify(trace[0]?.output ?? null)}`);
    }
  } catch (err) {
    if (!(err instanceof RuleError)) throw err;
    print(`${path}: ${slot.pointer}${err.pointer}: ${err.message}`);
    return 1;
  }
  return 0;
}

function simulateFile(args: string[], print: Print): number {
  const { values, positionals } = parse(args, {
    contracts: { type: 'string' },
    'only-changed': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  const path = onlyFile(positionals);
  const contractsPath = stringOption(values.contracts);
  if (!contractsPath) throw new UsageError('--contracts FILE is required.', RULES_USAGE);
  const document = readJson(path, print);
  const exported = readJson(contractsPath, print);
  if (document === undefined || exported === undefined) return 1;
  const shape = schemaErrors(document);
  if (shape.length > 0) {
    for (const d of shape) printDiagnostic(path, d, print);
    return 1;
  }
  const states = contractList(exported, contractsPath);
  let result: SimulationResult;
  try {
    result = simulate(document as RuleSetDraft, states.map(simulationContract), {
      onlyChanged: values['only-changed'] === true,
    });
  } catch (err) {
    if (!(err instanceof RuleError)) throw err;
    print(`${path}: ${err.pointer}: ${err.message}`);
    return 1;
  }
  if (values.json === true) print(JSON.stringify(result, null, 2));
  else printSimulation(path, result, print);
  return result.summary.failed > 0 ? 1 : 0;
}

function printSimulation(path: string, { summary, contracts }: SimulationResult, print: Print): void {
  print(`${path} over ${plural(summary.contracts, 'contract')}, ${plural(summary.periods, 'period')}:`);
  print(
    `  grades changed: ${summary.gradesChanged} (better ${summary.better}, worse ${summary.worse}); ` +
      `same ${summary.same}; never reviewed ${summary.new}; failed ${summary.failed}`,
  );
  print(`  escalations changed: ${summary.escalationsChanged}`);
  print(`  grades before: ${counts(summary.grades.before)}`);
  print(`  grades after:  ${counts(summary.grades.after)}`);
  print(`  mean score: ${summary.meanScore.before ?? '-'} -> ${summary.meanScore.after ?? '-'}`);
  const changed = contracts.flatMap((c) =>
    c.periods
      .filter((p) => p.change !== 'same' || outcome(p.before) !== outcome(p.after))
      .map(
        (p) =>
          `  ${c.id} ${p.period}: ${outcome(p.before)} -> ${p.error ? `failed: ${p.error}` : outcome(p.after)}`,
      ),
  );
  if (changed.length > 0) print('Changes:');
  for (const line of changed) print(line);
}

function outcome(o: Outcome | null): string {
  if (o === null) return 'not reviewed';
  const escalations = o.escalations.length > 0 ? `, escalates ${o.escalations.join(' ')}` : '';
  return `${o.grade} (${o.score})${escalations}`;
}

function counts(record: Record<string, number>): string {
  const entries = Object.entries(record);
  return entries.length === 0 ? '-' : entries.map(([k, v]) => `${k} ${v}`).join(', ');
}

function contractList(exported: unknown, path: string): ContractState[] {
  const list = Array.isArray(exported)
    ? (exported as unknown[])
    : Array.isArray((exported as { contracts?: unknown } | null)?.contracts)
      ? (exported as { contracts: unknown[] }).contracts
      : [exported];
  list.forEach((item, i) => {
    const state = item as Partial<ContractState> | null;
    if (typeof state?.id !== 'string' || !Array.isArray(state.periods) || !Array.isArray(state.revisions)) {
      throw new UsageError(
        `${path}: item ${i} is not a contract state (id, revisions and periods, as the API returns it).`,
      );
    }
  });
  return list as ContractState[];
}

function printDiagnostic(path: string, d: RuleSetDiagnostic, print: Print): void {
  print(`${path}: ${d.pointer || '/'}: ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}`);
  for (const line of d.trace ?? []) print(`    ${line}`);
}

/** The file's JSON, or undefined after printing why it cannot be had. */
function readJson(path: string, print: Print): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    print(`${path}: cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    print(`${path}: not JSON: ${(err as Error).message}`);
    return undefined;
  }
}

function dataOption(inline: string | undefined, file: string | undefined): unknown {
  if ((inline === undefined) === (file === undefined)) {
    throw new UsageError('Give the rule its data with either --data JSON or --data-file FILE.', RULES_USAGE);
  }
  const text = inline ?? readText(file!);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`The data is not JSON: ${(err as Error).message}`);
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function parse(args: string[], options: Options) {
  try {
    return parseArgs({ args, options: options ?? {}, allowPositionals: true, strict: true });
  } catch (err) {
    // parseArgs reports unknown or malformed options as TypeErrors with a readable message.
    if (err instanceof TypeError) throw new UsageError(err.message, RULES_USAGE);
    throw err;
  }
}

function files(args: string[]): string[] {
  const { positionals } = parse(args, {});
  if (positionals.length === 0) throw new UsageError('Which file?', RULES_USAGE);
  return positionals;
}

function onlyFile(positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError('Name one rule set file.', RULES_USAGE);
  return positionals[0]!;
}

function stringOption(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
