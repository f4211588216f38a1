// A rule set: how a contract is vetted, scored, graded and escalated, written as JSON-Logic.
// Each rule slot names the data it receives (rules/ruleset-slots.ts holds the table; docs/rules.md
// explains it). Published versions never change; a draft is the editable copy of the next one.
import { keyName } from './contract.js';
export type Rule = unknown;

export interface Guard {
  id: string;
  message: string;
  /** 'contract': the rule sees { indicators }; 'indicator': it runs once per indicator and sees it. */
  scope: 'contract' | 'indicator';
  rule: Rule;
}

export interface EscalationRule {
  id: string;
  /** Sees { composite, grade, indicators: [{ id, score, actual, ... }], period, missing }. */
  when: Rule;
  severity: 'low' | 'medium' | 'high';
  notify: Recipient[];
  message: string;
  /** Asks the unit for a corrective action within so many days of the review. */
  corrective?: { withinDays: number };
}

/** Who an email goes to: the unit's reporting contacts (or its head), the unit's head, the principal, the managers. */
export type Recipient = 'unit' | 'unit-head' | 'principal' | 'managers';

export interface LadderStep {
  id: string;
  /** Days relative to the report's due date: -7 is a week before, 14 a fortnight late. */
  offsetDays: number;
  notify: Recipient[];
  template: 'report-reminder' | 'late-notice' | 'late-escalation';
  /** Marks the period, and the contract, late (lists and dashboards show it). */
  flagLate?: boolean;
}

export type Aggregation = 'sum' | 'mean' | 'last' | 'max';

/**
 * Where a rule sits in a rule set, as test cases and the CLI name it: 'scoring.indicator',
 * 'scoring.composite', 'scoring.grade', 'renewal.target', 'guards.<id>', 'escalations.<id>'.
 */
export type SlotRef = string;

/** A worked example the rule set must reproduce before a version is published. */
export interface RuleSetTest {
  description: string;
  slot: SlotRef;
  /** What the rule receives (the slot's variables). */
  data: unknown;
  /** The result expected; for guards and escalations true (passes, fires) or false. */
  expect: unknown;
}

export interface RuleSet {
  id: string;
  version: number;
  name: string;
  description?: string;
  scoring: {
    /** Sees { actual, baseline, target, direction, weight, id, period, criteria?, ... }: returns the raw score. */
    indicator: Rule;
    /** Sees { indicators: [{ id, score, weight, ... }] }: returns the composite score. */
    composite: Rule;
    /** Sees { composite }: returns the grade's name. */
    grade: Rule;
    /** How an indicator's quarterly actuals make its year value (an indicator may override it). */
    aggregation: Aggregation;
    /**
     * Criteria values an indicator may set for itself (its `criteria`), by name, with what each
     * means; the indicator rule reads them as criteria.<name> (null when the indicator sets none).
     */
    criteria?: Record<string, string>;
    /** The grade names, best first: summaries and simulations rank grades by it. */
    grades?: string[];
    /** Whether a higher or a lower composite is better (the inverted 1-5 scale: lower). */
    better?: 'higher' | 'lower';
  };
  guards: Guard[];
  escalations: EscalationRule[];
  /** Reminders and escalations around each report's due date; a report accepted stops them. */
  ladder: { steps: LadderStep[] };
  approvals: {
    /** Days an approval link stays valid. */
    expiresAfterDays: number;
    /** Days before expiry that the approver is reminded. */
    reminderDaysBefore: number;
  };
  moderation: {
    /** Days after a period's review during which a manager may moderate its figures. */
    windowDays: number;
  };
  renewal: {
    /** Sees { baseline, target, actual, direction }: next year's proposed target. */
    target: Rule;
  };
  /** Suggests each indicator's target from history and peers (rules/targets.ts); Covenant's default when absent. */
  targets?: { suggest: Rule };
  tests?: RuleSetTest[];
  /**
   * What the rule studio's visual editors made, kept beside the JSON-Logic they compile to (the
   * engine never reads it): the grade bands as a table. A rule edited raw no longer matches its
   * description, and the studio then shows it raw.
   */
  studio?: {
    indicator?: CriteriaTable;
    grade?: GradeBands;
    escalations?: Record<string, EscalationTemplate>;
    guards?: Record<string, GuardTemplate>;
  };
}

/** A vetting guard made from one of the studio's templates (rules/guard-templates.ts). */
export type GuardTemplate =
  | { template: 'weights-sum'; total: number }
  | { template: 'min-indicators'; count: number }
  | { template: 'max-weight'; weight: number }
  | { template: 'not-below-baseline' }
  | { template: 'not-below-last-actual' }
  | { template: 'condition'; scope: 'contract' | 'indicator'; condition: BuiltCondition };

/** An escalation condition made from one of the studio's templates (rules/escalation-templates.ts). */
export type EscalationTemplate =
  | { template: 'grade-in' | 'grade-twice'; grades: string[] }
  | { template: 'below-target'; percent: number }
  | { template: 'two-below-target'; composite: number }
  | { template: 'missing-figures'; count: number }
  | { template: 'condition'; condition: BuiltCondition };

/**
 * A condition made in the studio's condition builder (rules/conditions.ts): groups of comparisons
 * of typed fields, joined by and/or, each group read on the review (or the terms) itself or on
 * some, every or no indicator.
 */
export interface BuiltCondition {
  join: 'and' | 'or';
  groups: ConditionGroup[];
}

export interface ConditionGroup {
  over: 'it' | 'some' | 'all' | 'none';
  join: 'and' | 'or';
  clauses: ConditionClause[];
}

export interface ConditionClause {
  /** A field the builder offers for the slot (rules/conditions.ts), e.g. "grade" or "actual". */
  field: string;
  op: '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not-in' | 'missing' | 'present';
  /** A number, a text, or texts for in / not-in. */
  value?: number | string | string[];
  /** Another field of the same place, compared with instead of a value. */
  other?: string;
}

/** Grade bands as a table: each row's grade when the composite is at most (or at least) its limit, in order. */
export interface GradeBands {
  kind: 'bands';
  comparison: '<=' | '>=';
  bands: { grade: string; limit: number }[];
  otherwise: string;
}

/**
 * An indicator's score as a table of criteria (rules/criteria-table.ts): rows from the worst value
 * to the best, each a point on the indicator's scale and the score there; interpolated in a
 * straight line between rows, or stepped (the best row reached).
 */
export interface CriteriaTable {
  kind: 'criteria';
  method: 'interpolate' | 'step';
  /** The score of a period not reported. */
  missing: number;
  /** Stepped: the score of an actual short of the first row. */
  below?: number;
  /** Interpolated: the decimals the score is rounded to. */
  decimals?: number;
  rows: CriteriaRow[];
}

export interface CriteriaRow {
  /** An indicator may set this row's value for itself, as criteria.<name>. */
  criterion?: string;
  at: CriteriaPoint;
  score: number;
}

/** Where a row sits on an indicator's scale, from its (phased) baseline and target. */
export type CriteriaPoint =
  | { from: 'baseline' }
  | { from: 'target' }
  /** baseline + share x (target - baseline): 0.5 halfway, 1.5 half the span beyond the target. */
  | { from: 'span'; share: number }
  /** target + share x |target|, towards better: 0.2 is 20% beyond the target. */
  | { from: 'beyond-target'; share: number };

/** The editable copy of a rule set's next version: publishing gives it its version number. */
export type RuleSetDraft = Omit<RuleSet, 'version'> & { version?: number };

const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$';
const RECIPIENTS = { enum: ['unit', 'unit-head', 'principal', 'managers'] } as const;
export const SLOT_PATTERN =
  '^(scoring\\.(indicator|composite|grade)|renewal\\.target|targets\\.suggest|(guards|escalations)\\.[A-Za-z0-9][A-Za-z0-9._-]{0,99})$';

const gradeBandsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'comparison', 'bands', 'otherwise'],
  properties: {
    kind: { const: 'bands' },
    comparison: { enum: ['<=', '>='] },
    bands: {
      type: 'array',
      maxItems: 20,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['grade', 'limit'],
        properties: { grade: { type: 'string', maxLength: 100 }, limit: { type: 'number' } },
      },
    },
    otherwise: { type: 'string', maxLength: 100 },
  },
} as const;

const builtConditionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['join', 'groups'],
  properties: {
    join: { enum: ['and', 'or'] },
    groups: {
      type: 'array',
      minItems: 1,
      maxItems: 10,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['over', 'join', 'clauses'],
        properties: {
          over: { enum: ['it', 'some', 'all', 'none'] },
          join: { enum: ['and', 'or'] },
          clauses: {
            type: 'array',
            minItems: 1,
            maxItems: 20,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['field', 'op'],
              properties: {
                field: { type: 'string', maxLength: 100 },
                op: { enum: ['==', '!=', '<', '<=', '>', '>=', 'in', 'not-in', 'missing', 'present'] },
                value: {
                  anyOf: [
                    { type: 'number' },
                    { type: 'string', maxLength: 200 },
                    { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 200 } },
                  ],
                },
                other: { type: 'string', maxLength: 100 },
              },
            },
          },
        },
      },
    },
  },
} as const;

const criteriaTableSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'method', 'missing', 'rows'],
  properties: {
    kind: { const: 'criteria' },
    method: { enum: ['interpolate', 'step'] },
    missing: { type: 'number' },
    below: { type: 'number' },
    decimals: { type: 'integer', minimum: 0, maximum: 10 },
    rows: {
      type: 'array',
      maxItems: 20,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['at', 'score'],
        properties: {
          criterion: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,49}$' },
          score: { type: 'number' },
          at: {
            type: 'object',
            additionalProperties: false,
            required: ['from'],
            properties: {
              from: { enum: ['baseline', 'target', 'span', 'beyond-target'] },
              share: { type: 'number' },
            },
          },
        },
      },
    },
  },
} as const;

const properties = {
  id: { type: 'string', pattern: ID_PATTERN },
  version: { type: 'integer', minimum: 1 },
  name: { type: 'string', minLength: 1, maxLength: 200 },
  description: { type: 'string', maxLength: 5000 },
  scoring: {
    type: 'object',
    additionalProperties: false,
    required: ['indicator', 'composite', 'grade', 'aggregation'],
    properties: {
      indicator: {},
      composite: {},
      grade: {},
      aggregation: { enum: ['sum', 'mean', 'last', 'max'] },
      criteria: {
        type: 'object',
        maxProperties: 20,
        propertyNames: keyName('^[A-Za-z][A-Za-z0-9_]{0,49}$'),
        additionalProperties: { type: 'string', minLength: 1, maxLength: 500 },
      },
      grades: {
        type: 'array',
        minItems: 1,
        maxItems: 20,
        uniqueItems: true,
        items: { type: 'string', minLength: 1, maxLength: 100 },
      },
      better: { enum: ['higher', 'lower'] },
    },
  },
  guards: {
    type: 'array',
    maxItems: 50,
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'message', 'scope', 'rule'],
      properties: {
        id: keyName(ID_PATTERN),
        message: { type: 'string', minLength: 1, maxLength: 500 },
        scope: { enum: ['contract', 'indicator'] },
        rule: {},
      },
    },
  },
  escalations: {
    type: 'array',
    maxItems: 50,
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'when', 'severity', 'notify', 'message'],
      properties: {
        id: keyName(ID_PATTERN),
        when: {},
        severity: { enum: ['low', 'medium', 'high'] },
        notify: { type: 'array', minItems: 1, uniqueItems: true, items: RECIPIENTS },
        message: { type: 'string', minLength: 1, maxLength: 500 },
        corrective: {
          type: 'object',
          additionalProperties: false,
          required: ['withinDays'],
          properties: { withinDays: { type: 'integer', minimum: 1, maximum: 90 } },
        },
      },
    },
  },
  ladder: {
    type: 'object',
    additionalProperties: false,
    required: ['steps'],
    properties: {
      steps: {
        type: 'array',
        maxItems: 20,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'offsetDays', 'notify', 'template'],
          properties: {
            id: keyName(ID_PATTERN),
            offsetDays: { type: 'integer', minimum: -90, maximum: 180 },
            notify: { type: 'array', minItems: 1, uniqueItems: true, items: RECIPIENTS },
            template: { enum: ['report-reminder', 'late-notice', 'late-escalation'] },
            flagLate: { type: 'boolean' },
          },
        },
      },
    },
  },
  approvals: {
    type: 'object',
    additionalProperties: false,
    required: ['expiresAfterDays', 'reminderDaysBefore'],
    properties: {
      expiresAfterDays: { type: 'integer', minimum: 1, maximum: 365 },
      reminderDaysBefore: { type: 'integer', minimum: 0, maximum: 364 },
    },
  },
  moderation: {
    type: 'object',
    additionalProperties: false,
    required: ['windowDays'],
    properties: { windowDays: { type: 'integer', minimum: 0, maximum: 365 } },
  },
  renewal: {
    type: 'object',
    additionalProperties: false,
    required: ['target'],
    properties: { target: {} },
  },
  targets: {
    type: 'object',
    additionalProperties: false,
    required: ['suggest'],
    properties: { suggest: {} },
  },
  tests: {
    type: 'array',
    maxItems: 500,
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['description', 'slot', 'data', 'expect'],
      properties: {
        description: { type: 'string', minLength: 1, maxLength: 500 },
        slot: { type: 'string', pattern: SLOT_PATTERN },
        data: {},
        expect: {},
      },
    },
  },
  studio: {
    type: 'object',
    additionalProperties: false,
    properties: {
      indicator: criteriaTableSchema,
      grade: gradeBandsSchema,
      guards: {
        type: 'object',
        maxProperties: 100,
        additionalProperties: {
          type: 'object',
          additionalProperties: false,
          required: ['template'],
          properties: {
            template: {
              enum: [
                'weights-sum',
                'min-indicators',
                'max-weight',
                'not-below-baseline',
                'not-below-last-actual',
                'condition',
              ],
            },
            scope: { enum: ['contract', 'indicator'] },
            condition: builtConditionSchema,
            total: { type: 'number' },
            count: { type: 'integer', minimum: 1, maximum: 1000 },
            weight: { type: 'number' },
          },
        },
      },
      escalations: {
        type: 'object',
        maxProperties: 100,
        additionalProperties: {
          type: 'object',
          additionalProperties: false,
          required: ['template'],
          properties: {
            template: {
              enum: ['grade-in', 'grade-twice', 'below-target', 'two-below-target', 'missing-figures', 'condition'],
            },
            condition: builtConditionSchema,
            grades: { type: 'array', maxItems: 20, items: { type: 'string', maxLength: 100 } },
            percent: { type: 'number', minimum: 0, maximum: 1000 },
            composite: { type: 'number' },
            count: { type: 'integer', minimum: 1, maximum: 100 },
          },
        },
      },
    },
  },
} as const;

const DRAFT_REQUIRED = [
  'id',
  'name',
  'scoring',
  'guards',
  'escalations',
  'ladder',
  'approvals',
  'moderation',
  'renewal',
] as const;

/** A published version: every field, its version included. */
export const ruleSetSchema = {
  $id: 'covenant:ruleset',
  type: 'object',
  additionalProperties: false,
  required: [...DRAFT_REQUIRED, 'version'],
  properties,
} as const;

/** A draft: as a published version, but the version is optional (publishing assigns it). */
export const ruleSetDraftSchema = {
  $id: 'covenant:ruleset-draft',
  type: 'object',
  additionalProperties: false,
  required: DRAFT_REQUIRED,
  properties,
} as const;
