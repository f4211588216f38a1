// The contract as proposed to the API: parties, period, indicators and the rule set it is judged by.
import { actionPlanSchema, type InitiativeInput } from './action-plan.js';
import { keyName, personSchema } from './names.js';
import type { Suggestion } from './suggestion.js';

export { keyName, personSchema, RESERVED_NAMES } from './names.js';
export type Direction = 'higher' | 'lower';

export interface Person {
  name: string;
  email: string;
}

export interface Party {
  name: string;
  /** The head who signs for the party. */
  signatory: Person;
  /** Reporting officers: they get the report requests and reminders (the signatory when none). */
  contacts?: Person[];
}

export interface Indicator {
  id: string;
  name: string;
  unit?: string;
  direction: Direction;
  baseline: number;
  target: number;
  weight: number;
  category?: string;
  description?: string;
  /** Overrides the rule set's year aggregation for this indicator. */
  aggregation?: 'sum' | 'mean' | 'last' | 'max';
  /** This indicator's own criteria values, by the names its rule set declares (scoring.criteria). */
  criteria?: Record<string, number>;
  /** How the quarters relate to the year (model/phasing.ts); 'level' when absent. */
  measurement?: 'level' | 'cumulative' | 'to-date';
  /** Explicit quarterly targets, by period id (Q1 … Qn): what each quarter's actual is compared with. */
  targets?: Record<string, number>;
  /** Phases the annual target over the quarters: evenly ('linear') or by weights per period id. */
  phasing?: 'linear' | Record<string, number>;
  /** Its values in past years, oldest first: targets are suggested from them. */
  history?: number[];
  /** A reference value from elsewhere (a national standard, a regional figure) and where it comes from. */
  benchmark?: { value?: number; source: string };
  /** The target suggested for it from history and peers (set by Covenant when terms are proposed). */
  suggestion?: Suggestion;
  /** Why the target asks less than its suggestion: required then (vetting's ambitious-targets guard). */
  justification?: string;
}

export interface ContractPeriod {
  start: string;
  end: string;
  reporting: 'quarterly';
  reportDueDays: number;
}

export interface RuleSetRef {
  id: string;
  version: number;
}

export interface ContractInput {
  id: string;
  title: string;
  principal: Party;
  unit: Party;
  managers: Person[];
  period: ContractPeriod;
  indicators: Indicator[];
  ruleSet: RuleSetRef;
  objectives?: string[];
  notes?: string;
  /** The kind of unit (ministry, county, state corporation…): peers for suggested targets and league tables. */
  category?: string;
  /** 'automatic' (default): after the evaluation's sign-off the contract renews into next year. */
  renewal?: 'automatic' | 'none';
  /** How the unit means to reach the targets, agreed with the terms (model/action-plan.ts). */
  actionPlan?: InitiativeInput[];
}

/** The negotiable part of a contract: what a revision proposes. */
export interface Terms {
  indicators: Indicator[];
}

const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$';

/**
 * A contract's state must stay well under Temporal's 2 MB payload limit for years (its workflow
 * carries it, answers it to queries and continues as new with it). These bound what one set of
 * terms may weigh; workflows/contract/bounds.ts bounds what accumulates.
 */
export const MAX_INDICATORS = 100;
/** Bytes of a set of terms (the indicators as JSON, UTF-8). */
export const MAX_TERMS_BYTES = 200_000;

const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';
/** A reporting period's id, as targets and phasing name it. */
const PERIOD_ID_PATTERN = '^Q[1-9][0-9]?$';
/** Quarters a contract's year may have (a period of up to five years). */
const MAX_PERIODS = 20;

const party = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'signatory'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 300 },
    signatory: personSchema,
    contacts: { type: 'array', maxItems: 20, items: personSchema },
  },
} as const;

export const indicatorSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'direction', 'baseline', 'target', 'weight'],
  properties: {
    id: keyName(ID_PATTERN),
    name: { type: 'string', minLength: 1, maxLength: 200 },
    unit: { type: 'string', maxLength: 50 },
    direction: { enum: ['higher', 'lower'] },
    baseline: { type: 'number' },
    target: { type: 'number' },
    weight: { type: 'number', exclusiveMinimum: 0, maximum: 100 },
    category: { type: 'string', maxLength: 100 },
    description: { type: 'string', maxLength: 1000 },
    aggregation: { enum: ['sum', 'mean', 'last', 'max'] },
    criteria: {
      type: 'object',
      maxProperties: 10,
      propertyNames: keyName('^[A-Za-z][A-Za-z0-9_]{0,49}$'),
      additionalProperties: { type: 'number' },
    },
    measurement: { enum: ['level', 'cumulative', 'to-date'] },
    targets: {
      type: 'object',
      minProperties: 1,
      maxProperties: MAX_PERIODS,
      propertyNames: { type: 'string', pattern: PERIOD_ID_PATTERN },
      additionalProperties: { type: 'number' },
    },
    history: { type: 'array', maxItems: 20, items: { type: 'number' } },
    benchmark: {
      type: 'object',
      additionalProperties: false,
      required: ['source'],
      properties: { value: { type: 'number' }, source: { type: 'string', minLength: 1, maxLength: 300 } },
    },
    // Covenant sets it; one sent back with edited terms is replaced.
    suggestion: { type: 'object' },
    justification: { type: 'string', minLength: 1, maxLength: 2000 },
    phasing: {
      anyOf: [
        { const: 'linear' },
        {
          type: 'object',
          minProperties: 1,
          maxProperties: MAX_PERIODS,
          propertyNames: { type: 'string', pattern: PERIOD_ID_PATTERN },
          additionalProperties: { type: 'number', minimum: 0 },
        },
      ],
    },
  },
} as const;

export const indicatorsSchema = {
  type: 'array',
  minItems: 1,
  maxItems: MAX_INDICATORS,
  items: indicatorSchema,
} as const;

export const contractSchema = {
  $id: 'covenant:contract',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'title', 'principal', 'unit', 'managers', 'period', 'indicators', 'ruleSet'],
  properties: {
    id: { type: 'string', pattern: ID_PATTERN },
    title: { type: 'string', minLength: 1, maxLength: 300 },
    principal: party,
    unit: party,
    managers: { type: 'array', maxItems: 50, items: personSchema },
    period: {
      type: 'object',
      additionalProperties: false,
      required: ['start', 'end', 'reporting', 'reportDueDays'],
      properties: {
        start: { type: 'string', pattern: DATE_PATTERN, format: 'date' },
        end: { type: 'string', pattern: DATE_PATTERN, format: 'date' },
        reporting: { enum: ['quarterly'] },
        reportDueDays: { type: 'integer', minimum: 0, maximum: 180 },
      },
    },
    indicators: indicatorsSchema,
    ruleSet: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'version'],
      properties: { id: { type: 'string', pattern: ID_PATTERN }, version: { type: 'integer', minimum: 1 } },
    },
    objectives: { type: 'array', maxItems: 20, items: { type: 'string', maxLength: 500 } },
    notes: { type: 'string', maxLength: 5000 },
    renewal: { enum: ['automatic', 'none'] },
    actionPlan: actionPlanSchema,
    category: { type: 'string', minLength: 1, maxLength: 100 },
  },
} as const;
