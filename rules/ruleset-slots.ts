// The rule slots of a rule set: where each rule sits, what it is for and the variables it receives.
// One table serves validation (unknown variables, null comparisons), test cases, the CLI and
// docs/rules.md (a test checks the page names every variable listed here).
import type { Indicator } from '../model/contract.js';
import type { IndicatorScore } from '../model/state.js';
import type { ValidationContext, VariableSpec } from './engine/index.js';

export type SlotKind =
  | 'indicator'
  | 'composite'
  | 'grade'
  | 'contract-guard'
  | 'indicator-guard'
  | 'escalation'
  | 'renewal'
  | 'suggest';

export interface SlotContext {
  /** What the rule decides, in a line. */
  summary: string;
  /** What it must return. */
  returns: string;
  variables: Readonly<Record<string, VariableSpec>>;
}

export interface Slot {
  /** How test cases and the CLI name it: 'scoring.indicator', 'guards.<id>', … */
  ref: string;
  kind: SlotKind;
  /** JSON pointer of the rule in the rule set document. */
  pointer: string;
  rule: unknown;
}

const text = (description: string): VariableSpec => ({ type: 'string', description });
const number = (description: string): VariableSpec => ({ type: 'number', description });
const optionalText = (description: string): VariableSpec => ({ type: ['string', 'null'], description });

// Typed against the model, so a field added to Indicator or IndicatorScore must be described here.
const indicatorFields: Readonly<Record<keyof Indicator, VariableSpec>> = {
  id: text('the indicator id, e.g. "immunisation"'),
  name: text('the indicator name'),
  unit: optionalText('the unit of measure, e.g. "%"; null when none'),
  direction: text('"higher" or "lower": which way is better'),
  baseline: number("last year's value (the starting point)"),
  target: number('the negotiated target'),
  weight: number('the weight, out of the total of all weights (100 when vetted)'),
  category: optionalText('the indicator category; null when none'),
  description: optionalText('the indicator description; null when none'),
  aggregation: optionalText("the indicator's own year aggregation; null: the rule set's"),
  criteria: {
    type: ['object', 'null'],
    description:
      "the indicator's own criteria values, named as scoring.criteria declares (in a quarter's score, phased like the target)",
  },
  measurement: optionalText('"level", "cumulative" or "to-date"; null: level (terms before phasing)'),
  targets: {
    type: ['object', 'null'],
    description: 'the explicit quarterly targets by period id ("Q1" …); null when phased or flat',
  },
  phasing: {
    type: ['string', 'object', 'null'],
    description: '"linear", or weights by period id; null when not phased',
  },
  history: {
    type: ['array', 'null'],
    description: "the indicator's values in past years, oldest first; null when none",
    items: { type: 'number' },
  },
  benchmark: {
    type: ['object', 'null'],
    description: 'a reference value and its source ({ value, source }); null when none',
  },
  suggestion: {
    type: ['object', 'null'],
    description: 'the target suggested from history and peers ({ target, rule, inputs }); null when none',
  },
  justification: optionalText('why the target asks less than its suggestion; null when none'),
};

const scoreFields: Readonly<Record<keyof IndicatorScore, VariableSpec>> = {
  id: text('the indicator id'),
  name: text('the indicator name'),
  unit: optionalText('the unit of measure; null when none'),
  direction: text('"higher" or "lower"'),
  baseline: number('the baseline'),
  target: number('the target'),
  weight: number('the weight'),
  actual: { type: ['number', 'null'], description: 'the agreed actual; null when not reported' },
  periodTarget: number("what the quarter's actual was compared with (the phased target)"),
  actualToDate: {
    type: ['number', 'null'],
    description: "a cumulative indicator's actuals of the year so far; else the actual",
  },
  score: number("the indicator's raw score from scoring.indicator"),
  weightedScore: number('score x weight / total weight, rounded to 2 decimals'),
};

const previousReview: Readonly<Record<string, VariableSpec>> = {
  period: text('"Q1" to "Q4"'),
  composite: { type: ['number', 'null'], description: 'its composite; null when not scored' },
  grade: text('its grade'),
  indicators: {
    type: 'object',
    description:
      "each indicator's score by id (empty for last year's: a finished year keeps composites only)",
  },
};

const scores: VariableSpec = {
  type: 'array',
  description: 'one item per indicator: its score and terms',
  items: { type: 'object', properties: scoreFields },
};

const peersSpec: VariableSpec = {
  type: 'object',
  description: 'the same indicator among contracts of the same category',
  properties: {
    count: number('how many peers have a value'),
    p25: { type: ['number', 'null'], description: 'their 25th percentile; null without peers' },
    median: { type: ['number', 'null'], description: 'their median; null without peers' },
    p75: { type: ['number', 'null'], description: 'their 75th percentile; null without peers' },
  },
};

export const SLOT_CONTEXTS: Readonly<Record<SlotKind, SlotContext>> = {
  indicator: {
    summary: "one indicator's raw score for a period (and for the year, from its aggregated actuals)",
    returns: 'a finite number',
    variables: {
      ...indicatorFields,
      actual: {
        type: ['number', 'null'],
        description: "the period's agreed actual (the report, moderations applied); null when not reported",
      },
      period: text('"Q1" to "Q4", or "year" at the annual evaluation'),
      periodTarget: number(
        "what the quarter's actual should reach: its own target (explicit or phased); the annual target for the year",
      ),
      periodBaseline: number('the baseline phased like the target; the baseline for the year'),
      actualToDate: {
        type: ['number', 'null'],
        description:
          "a cumulative indicator's actuals of the year so far, this quarter's included; else the actual",
      },
      targetToDate: number("a cumulative indicator's quarterly targets so far added up; else periodTarget"),
    },
  },
  composite: {
    summary: "the period's composite score from the indicators' scores",
    returns: 'a finite number',
    variables: { indicators: scores },
  },
  grade: {
    summary: "the grade's name for a composite score",
    returns: 'a grade name (a string)',
    variables: { composite: number('the composite score') },
  },
  'contract-guard': {
    summary: 'vetting: a check on all the indicators of proposed terms together',
    returns: 'true when the terms pass',
    variables: {
      indicators: {
        type: 'array',
        description: 'the proposed indicators',
        items: { type: 'object', properties: indicatorFields },
      },
    },
  },
  'indicator-guard': {
    summary: 'vetting: a check run once per proposed indicator',
    returns: 'true when the indicator passes',
    variables: indicatorFields,
  },
  escalation: {
    summary: "whether a period's review escalates",
    returns: 'true when the escalation fires',
    variables: {
      composite: number('the composite score'),
      grade: text('the grade'),
      indicators: scores,
      period: text('"Q1" to "Q4"'),
      missing: {
        type: 'array',
        description: 'the ids of the indicators not reported',
        items: { type: 'string' },
      },
      previous: {
        type: ['object', 'null'],
        description: "earlier reviews: this year's periods, the last of them, the same quarter last year",
        properties: {
          periods: {
            type: 'array',
            description: "this year's earlier reviews, in order",
            items: { type: 'object', properties: previousReview },
          },
          last: {
            type: ['object', 'null'],
            description: 'the review of the period before this one; null in the first',
            properties: previousReview,
          },
          lastYear: {
            type: ['object', 'null'],
            description: "the same quarter's review last year; null in a contract's first year",
            properties: previousReview,
          },
        },
      },
    },
  },
  renewal: {
    summary: "next year's proposed target for an indicator, from this year's evidence",
    returns: 'a finite number',
    variables: {
      baseline: number("this year's baseline"),
      target: number("this year's target"),
      actual: {
        type: ['number', 'null'],
        description: "this year's agreed value; null when none was reported",
      },
      direction: text('"higher" or "lower"'),
    },
  },
  suggest: {
    summary: "an indicator's suggested target, from its history and its peers",
    returns: 'a finite number, or null for no suggestion',
    variables: {
      ...indicatorFields,
      benchmark: { type: ['number', 'null'], description: "the benchmark's value; null when none" },
      history: {
        type: 'array',
        description: "the indicator's values in past years, oldest first (at renewal, this year's last)",
        items: { type: 'number' },
      },
      trend: {
        type: ['number', 'null'],
        description: 'the least-squares line through the history, one year on; null under 2 years',
      },
      lastActual: { type: ['number', 'null'], description: 'the latest value of the history; null when none' },
      peers: peersSpec,
    },
  },
};

/** Guards and escalations are conditions: JSON-Logic truthiness decides, and tests expect true or false. */
export function isCondition(kind: SlotKind): boolean {
  return kind === 'contract-guard' || kind === 'indicator-guard' || kind === 'escalation';
}

/** The variables a slot's rule may read; the indicator's criteria are those the rule set declares. */
export function contextOf(kind: SlotKind, declaredCriteria?: readonly string[]): ValidationContext {
  const variables = SLOT_CONTEXTS[kind].variables;
  if (declaredCriteria === undefined || !('criteria' in variables)) return { variables };
  const criteria: VariableSpec = {
    ...variables.criteria,
    properties: Object.fromEntries(
      declaredCriteria.map((name) => [
        name,
        {
          type: ['number', 'null'],
          description: 'null when the indicator does not set it',
          absentWhenNull: true,
        },
      ]),
    ),
  };
  return { variables: { ...variables, criteria } };
}

/** Every rule slot in a rule set document, even one that failed its schema: what is there gets checked. */
export function slotsOf(document: unknown): Slot[] {
  const doc = asObject(document);
  const slots: Slot[] = [];
  const scoring = asObject(doc.scoring);
  for (const name of ['indicator', 'composite', 'grade'] as const) {
    if (name in scoring)
      slots.push({ ref: `scoring.${name}`, kind: name, pointer: `/scoring/${name}`, rule: scoring[name] });
  }
  listOf(doc.guards).forEach((value, i) => {
    const guard = asObject(value);
    if (!('rule' in guard)) return;
    slots.push({
      ref: `guards.${String(guard.id)}`,
      kind: guard.scope === 'indicator' ? 'indicator-guard' : 'contract-guard',
      pointer: `/guards/${i}/rule`,
      rule: guard.rule,
    });
  });
  listOf(doc.escalations).forEach((value, i) => {
    const escalation = asObject(value);
    if (!('when' in escalation)) return;
    slots.push({
      ref: `escalations.${String(escalation.id)}`,
      kind: 'escalation',
      pointer: `/escalations/${i}/when`,
      rule: escalation.when,
    });
  });
  const targets = asObject(doc.targets);
  if ('suggest' in targets)
    slots.push({ ref: 'targets.suggest', kind: 'suggest', pointer: '/targets/suggest', rule: targets.suggest });
  const renewal = asObject(doc.renewal);
  if ('target' in renewal)
    slots.push({ ref: 'renewal.target', kind: 'renewal', pointer: '/renewal/target', rule: renewal.target });
  return slots;
}

export function findSlot(document: unknown, ref: string): Slot | undefined {
  return slotsOf(document).find((slot) => slot.ref === ref);
}

/** The criteria names a rule set document declares (scoring.criteria), or undefined when it declares none. */
export function declaredCriteria(document: unknown): string[] | undefined {
  const criteria = asObject(asObject(asObject(document).scoring).criteria);
  const names = Object.keys(criteria);
  return names.length > 0 ? names : undefined;
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}
