// A rule set: how a contract is vetted, scored, graded and escalated, written as JSON-Logic.
// Each rule slot names the data it receives (see docs/rules.md).
export type Rule = unknown;

export interface Guard {
  id: string;
  message: string;
  /** 'contract': the rule sees { indicators, period }; 'indicator': it runs once per indicator. */
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

export interface RuleSet {
  id: string;
  version: number;
  name: string;
  description?: string;
  scoring: {
    /** Sees { actual, baseline, target, direction, weight, id, period }: returns the raw score. */
    indicator: Rule;
    /** Sees { indicators: [{ id, score, weight }] }: returns the composite score. */
    composite: Rule;
    /** Sees { composite }: returns the grade's name. */
    grade: Rule;
    /** How an indicator's quarterly actuals make its year value (an indicator may override it). */
    aggregation: Aggregation;
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
}

const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$';

export const ruleSetSchema = {
  $id: 'covenant:ruleset',
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'version',
    'name',
    'scoring',
    'guards',
    'escalations',
    'ladder',
    'approvals',
    'moderation',
    'renewal',
  ],
  properties: {
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
      },
    },
    guards: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'message', 'scope', 'rule'],
        properties: {
          id: { type: 'string', pattern: ID_PATTERN },
          message: { type: 'string', minLength: 1, maxLength: 500 },
          scope: { enum: ['contract', 'indicator'] },
          rule: {},
        },
      },
    },
    escalations: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'when', 'severity', 'notify', 'message'],
        properties: {
          id: { type: 'string', pattern: ID_PATTERN },
          when: {},
          severity: { enum: ['low', 'medium', 'high'] },
          notify: {
            type: 'array',
            minItems: 1,
            items: { enum: ['unit', 'unit-head', 'principal', 'managers'] },
          },
          message: { type: 'string', minLength: 1, maxLength: 500 },
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
              id: { type: 'string', pattern: ID_PATTERN },
              offsetDays: { type: 'integer', minimum: -90, maximum: 180 },
              notify: {
                type: 'array',
                minItems: 1,
                items: { enum: ['unit', 'unit-head', 'principal', 'managers'] },
              },
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
  },
} as const;
