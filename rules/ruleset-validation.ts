// Validation that teaches: everything wrong with a rule set document at once, each with a JSON
// pointer into the document and a sentence its author can act on. The schema, then every rule
// through the engine's validate() with its slot's variables, then the rule set's own test cases.
// Errors block publishing; warnings do not. Pure; the server runs it in a rule thread
// (server/rule-runner), and the CLI on files.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { jsonBytes } from '../model/bytes.js';
import { ruleSetDraftSchema, ruleSetSchema, SLOT_PATTERN } from '../model/ruleset.js';
import { validate } from './engine/index.js';
import { contextOf, declaredCriteria, slotsOf, type Slot } from './ruleset-slots.js';
import { probeRuleSet } from './ruleset-probes.js';
import { runRuleSetTests } from './ruleset-tests.js';
import { closest } from './suggest.js';

export interface RuleSetDiagnostic {
  severity: 'error' | 'warning';
  /** JSON pointer into the rule set document, e.g. /scoring/indicator/if/0 or /tests/3. */
  pointer: string;
  message: string;
  /** For a failing test case: the rule's run, step by step. */
  trace?: string[];
}

export interface RuleSetValidation {
  /** No errors (warnings allowed): the document may be published. */
  valid: boolean;
  diagnostics: RuleSetDiagnostic[];
  tests: { run: number; passed: number };
}

export interface ValidationOptions {
  /** A published version must carry its version number; a draft need not. */
  published?: boolean;
}

// Strict, so a mistake in our own schema fails loudly; silent, since this also runs inside workflows.
// Compiled on first use: this module is in the workflow bundle, whose modules are evaluated again
// for every workflow the worker creates or replays, and most of them (contracts) never validate a
// rule set; compiling here costs about 30 ms of CPU per workflow.
let compiled: { draft: ValidateFunction; published: ValidateFunction } | undefined;
function schemaCheck(published: boolean): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: true, verbose: true, logger: false });
    compiled = { draft: ajv.compile(ruleSetDraftSchema), published: ajv.compile(ruleSetSchema) };
  }
  return published ? compiled.published : compiled.draft;
}

export function validateRuleSetDocument(
  document: unknown,
  options: ValidationOptions = {},
): RuleSetValidation {
  const diagnostics: RuleSetDiagnostic[] = [
    ...schemaErrors(document, options),
    ...duplicateIds(document),
    ...settingDiagnostics(document),
  ];
  const criteria = declaredCriteria(document);
  for (const slot of slotsOf(document)) diagnostics.push(...ruleDiagnostics(slot, criteria));
  // Rules that read well are run on ordinary inputs of their slot: a wrong type or too much work
  // on real contracts would leave reviews unscored.
  if (!diagnostics.some((d) => d.severity === 'error')) {
    for (const finding of probeRuleSet(document)) diagnostics.push({ severity: 'error', ...finding });
  }
  const outcomes = runRuleSetTests(document);
  for (const outcome of outcomes) {
    if (outcome.passed) continue;
    diagnostics.push({
      severity: 'error',
      pointer: `/tests/${outcome.index}`,
      message: `test "${outcome.description}" (${outcome.slot}) failed: ${outcome.message ?? 'no result'}`,
      ...(outcome.trace ? { trace: outcome.trace } : {}),
    });
  }
  return {
    valid: !diagnostics.some((d) => d.severity === 'error'),
    diagnostics,
    tests: { run: outcomes.length, passed: outcomes.filter((o) => o.passed).length },
  };
}

/**
 * The schema's verdict alone: whether the document has the shape of a rule set at all. A draft must
 * pass it to be saved (everything later reads its fields); what its rules say may still be wrong.
 */
export function schemaErrors(document: unknown, options: ValidationOptions = {}): RuleSetDiagnostic[] {
  const check = schemaCheck(options.published === true);
  const errors = check(document) ? [] : schemaDiagnostics(check.errors ?? []);
  // Every contract carries its rule set whole: a large one would crowd its payloads.
  const bytes = jsonBytes(document);
  if (bytes > MAX_RULESET_BYTES) {
    errors.push({
      severity: 'error',
      pointer: '',
      message: `the rule set takes ${Math.ceil(bytes / 1000)} KB; every contract carries it, so at most ${MAX_RULESET_BYTES / 1000} KB`,
    });
  }
  return errors;
}

/** Bytes a rule set may take: each contract's workflow carries the one it pins. */
export const MAX_RULESET_BYTES = 256_000;

/** The errors only, as the API's { pointer, message } issues. */
export function errorsOf(validation: RuleSetValidation): { pointer: string; message: string }[] {
  return validation.diagnostics
    .filter((d) => d.severity === 'error')
    .map(({ pointer, message }) => ({ pointer, message }));
}

function ruleDiagnostics(slot: Slot, criteria: string[] | undefined): RuleSetDiagnostic[] {
  const found: RuleSetDiagnostic[] = validate(slot.rule, contextOf(slot.kind, criteria)).map((d) => ({
    severity: d.severity,
    pointer: slot.pointer + d.pointer,
    message: d.message,
  }));
  // Without declared criteria the engine accepts any criteria.<name>: say what is missing instead.
  if (criteria === undefined && (slot.kind === 'indicator' || slot.kind === 'indicator-guard')) {
    for (const read of criteriaReads(slot.rule, slot.pointer)) {
      found.push({
        severity: 'error',
        pointer: read.pointer,
        message: `reads '${read.path}', but scoring.criteria declares no criteria values: declare "${read.path.split('.')[1] ?? ''}" there, with what it means, so indicators may set it`,
      });
    }
  }
  return found;
}

/** Ids name guards, escalations and ladder steps in records and test cases: each must be unique. */
function duplicateIds(document: unknown): RuleSetDiagnostic[] {
  const doc = asRecord(document);
  const lists: [string, unknown][] = [
    ['/guards', doc.guards],
    ['/escalations', doc.escalations],
    ['/ladder/steps', asRecord(doc.ladder).steps],
  ];
  const found: RuleSetDiagnostic[] = [];
  for (const [at, list] of lists) {
    if (!Array.isArray(list)) continue;
    const first = new Map<unknown, number>();
    (list as unknown[]).forEach((item, i) => {
      const id = asRecord(item).id;
      if (typeof id !== 'string') return;
      const earlier = first.get(id);
      if (earlier === undefined) first.set(id, i);
      else
        found.push({
          severity: 'error',
          pointer: `${at}/${i}/id`,
          message: `duplicates the id '${id}' of ${at}/${earlier}: ids name records and test slots, so each must be unique`,
        });
    });
  }
  return found;
}

function settingDiagnostics(document: unknown): RuleSetDiagnostic[] {
  const approvals = asRecord(asRecord(document).approvals);
  const { expiresAfterDays, reminderDaysBefore } = approvals;
  if (
    typeof expiresAfterDays === 'number' &&
    typeof reminderDaysBefore === 'number' &&
    reminderDaysBefore >= expiresAfterDays
  ) {
    return [
      {
        severity: 'error',
        pointer: '/approvals/reminderDaysBefore',
        message: `must be less than expiresAfterDays (${expiresAfterDays}): the reminder would go out with the request itself`,
      },
    ];
  }
  return [];
}

const ID_RULE = "must be 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or a digit";
const SLOT_RULE =
  'must name a slot: scoring.indicator, scoring.composite, scoring.grade, renewal.target, guards.<id> or escalations.<id>';

function schemaDiagnostics(errors: ErrorObject[]): RuleSetDiagnostic[] {
  // A bad property name is reported twice (its pattern, then propertyNames): keep the second.
  const found = errors
    .filter((e) => e.propertyName === undefined)
    .map((e): RuleSetDiagnostic => {
      const params = e.params as Record<string, unknown>;
      const error = (pointer: string, message: string): RuleSetDiagnostic => ({
        severity: 'error',
        pointer,
        message,
      });
      switch (e.keyword) {
        case 'required':
          return error(`${e.instancePath}/${escape(String(params.missingProperty))}`, 'is required');
        case 'additionalProperties': {
          const name = String(params.additionalProperty);
          const known = Object.keys(asRecord(asRecord(e.parentSchema).properties));
          const guess = closest(name, known);
          return error(
            `${e.instancePath}/${escape(name)}`,
            `is not a known field; ${guess ? `did you mean '${guess}'?` : `known here: ${known.join(', ')}`}`,
          );
        }
        case 'enum':
          return error(
            e.instancePath,
            `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
          );
        case 'propertyNames':
          return error(
            `${e.instancePath}/${escape(String(params.propertyName))}`,
            "is not a valid criteria name: letters, digits and '_', starting with a letter, at most 50",
          );
        case 'pattern':
          return error(e.instancePath, params.pattern === SLOT_PATTERN ? SLOT_RULE : ID_RULE);
        case 'not':
          return error(
            e.instancePath,
            'is a name every JavaScript object has (such as constructor or toString): choose another',
          );
        default:
          return error(e.instancePath, e.message ?? e.keyword);
      }
    });
  // allErrors can report one failure several ways: one line each.
  return found.filter(
    (d, i) => found.findIndex((o) => o.pointer === d.pointer && o.message === d.message) === i,
  );
}

interface CriteriaRead {
  path: string;
  pointer: string;
}

/** Every {"var": "criteria.<name>"} in a rule, with its pointer. */
function criteriaReads(rule: unknown, pointer: string): CriteriaRead[] {
  const reads: CriteriaRead[] = [];
  const walk = (value: unknown, at: string): void => {
    if (Array.isArray(value)) {
      value.forEach((item: unknown, i) => walk(item, `${at}/${i}`));
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, args] of Object.entries(value)) {
      if (key === 'var') {
        const path: unknown = Array.isArray(args) ? (args as unknown[])[0] : args;
        if (typeof path === 'string' && path.startsWith('criteria.')) reads.push({ path, pointer: at });
      }
      walk(args, `${at}/${escape(key)}`);
    }
  };
  walk(rule, pointer);
  return reads;
}

function escape(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
