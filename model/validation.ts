// AJV validation of everything that enters Covenant, with errors as JSON pointers a person can act on.
// Server-side only (AJV generates code; workflows receive input that was validated here).
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { jsonBytes } from './bytes.js';
import { contractSchema, indicatorsSchema, MAX_TERMS_BYTES, type ContractInput } from './contract.js';
import { planIssues } from './action-plan.js';
import { CovenantError, pointer, type Issue } from './errors.js';
import { ruleSetSchema, type RuleSet } from './ruleset.js';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, useDefaults: true });
addFormats(ajv);

/** Validates `value` against `schema`, returning it typed, or throwing CovenantError('invalid'). */
export function validator<T>(schema: object): (value: unknown) => T {
  const check: ValidateFunction = ajv.compile(schema);
  return (value: unknown): T => {
    if (!check(value)) throw new CovenantError('invalid', toIssues(check.errors ?? []));
    return value as T;
  };
}

export function toIssues(errors: ErrorObject[]): Issue[] {
  const issues = errors
    // `if` and `propertyNames` wrap the errors that say what is wrong: those are kept.
    .filter((e) => e.keyword !== 'if' && e.keyword !== 'propertyNames')
    .map((e): Issue => {
      const params = e.params as Record<string, unknown>;
      if (typeof e.propertyName === 'string') {
        // A key the object may not have: point at the key itself.
        return {
          pointer: `${e.instancePath}${pointer(e.propertyName)}`,
          message: `is not an allowed name: ${e.keyword === 'not' ? 'a name every JavaScript object has' : (e.message ?? e.keyword)}`,
        };
      }
      if (e.keyword === 'required') {
        return {
          pointer: `${e.instancePath}${pointer(String(params.missingProperty))}`,
          message: 'is required',
        };
      }
      if (e.keyword === 'additionalProperties') {
        return {
          pointer: `${e.instancePath}${pointer(String(params.additionalProperty))}`,
          message: 'is not a known field',
        };
      }
      if (e.keyword === 'not') {
        // The only `not` in our schemas refuses the names every object inherits (RESERVED_NAMES).
        return {
          pointer: e.instancePath,
          message: 'is a name every JavaScript object has (such as constructor or toString): choose another',
        };
      }
      if (e.keyword === 'enum') {
        return {
          pointer: e.instancePath,
          message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
        };
      }
      return { pointer: e.instancePath, message: e.message ?? e.keyword };
    });
  // allErrors reports one failure several ways (pattern and format of one date): keep one line each.
  return issues.filter(
    (issue, i) => issues.findIndex((o) => o.pointer === issue.pointer && o.message === issue.message) === i,
  );
}

const checkContractShape = validator<ContractInput>(contractSchema);
const checkIndicatorsShape = validator<ContractInput['indicators']>(indicatorsSchema);
export const validateRuleSet = validator<RuleSet>(ruleSetSchema);

/** A contract body: its shape and what a schema cannot say (unique ids, dates in order), all reported at once. */
export function validateContract(body: unknown): ContractInput {
  const issues: Issue[] = [];
  try {
    checkContractShape(body);
  } catch (err) {
    if (!(err instanceof CovenantError)) throw err;
    issues.push(...err.issues);
  }
  const raw = (typeof body === 'object' && body !== null ? body : {}) as Partial<ContractInput>;
  if (Array.isArray(raw.indicators)) issues.push(...indicatorIssues(raw.indicators, '/indicators'));
  if (issues.length === 0 && raw.actionPlan && raw.indicators)
    issues.push(
      ...planIssues(
        raw.actionPlan,
        raw.indicators.map((i) => i.id),
      ),
    );
  const period = raw.period;
  if (typeof period?.start === 'string' && typeof period.end === 'string' && period.end <= period.start) {
    issues.push({ pointer: '/period/end', message: 'must be after /period/start' });
  }
  if (issues.length > 0) throw new CovenantError('invalid', issues);
  return body as ContractInput;
}

export function validateIndicators(value: unknown, at = '/indicators'): ContractInput['indicators'] {
  let indicators: ContractInput['indicators'];
  try {
    indicators = checkIndicatorsShape(value);
  } catch (err) {
    if (err instanceof CovenantError) {
      throw new CovenantError(
        'invalid',
        err.issues.map((i) => ({ ...i, pointer: at + i.pointer })),
      );
    }
    throw err;
  }
  const issues = indicatorIssues(indicators, at);
  if (issues.length > 0) throw new CovenantError('invalid', issues);
  return indicators;
}

function indicatorIssues(indicators: unknown[], at: string): Issue[] {
  const issues: Issue[] = [];
  const bytes = jsonBytes(indicators);
  if (bytes > MAX_TERMS_BYTES) {
    issues.push({
      pointer: at,
      message: `the terms take ${Math.ceil(bytes / 1000)} KB; at most ${MAX_TERMS_BYTES / 1000} KB (shorten descriptions, or split the contract)`,
    });
  }
  const seen = new Set<unknown>();
  indicators.forEach((value, i) => {
    const indicator = (typeof value === 'object' && value !== null ? value : {}) as { id?: unknown };
    if (typeof indicator.id !== 'string') return;
    if (seen.has(indicator.id))
      issues.push({ pointer: `${at}/${i}/id`, message: `duplicates indicator id '${indicator.id}'` });
    seen.add(indicator.id);
  });
  return issues;
}
