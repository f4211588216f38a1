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
  notify: ('managers' | 'principal' | 'unit')[];
  message: string;
}

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
  };
  guards: Guard[];
  escalations: EscalationRule[];
  ladder: {
    /** Days before a report's due date that the unit is reminded. */
    reminderDaysBefore: number;
  };
  approvals: {
    /** Days an approval link stays valid. */
    expiresAfterDays: number;
  };
}

const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$';

export const ruleSetSchema = {
  $id: 'covenant:ruleset',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'version', 'name', 'scoring', 'guards', 'escalations', 'ladder', 'approvals'],
  properties: {
    id: { type: 'string', pattern: ID_PATTERN },
    version: { type: 'integer', minimum: 1 },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string', maxLength: 5000 },
    scoring: {
      type: 'object',
      additionalProperties: false,
      required: ['indicator', 'composite', 'grade'],
      properties: { indicator: {}, composite: {}, grade: {} },
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
          notify: { type: 'array', minItems: 1, items: { enum: ['managers', 'principal', 'unit'] } },
          message: { type: 'string', minLength: 1, maxLength: 500 },
        },
      },
    },
    ladder: {
      type: 'object',
      additionalProperties: false,
      required: ['reminderDaysBefore'],
      properties: { reminderDaysBefore: { type: 'integer', minimum: 0, maximum: 90 } },
    },
    approvals: {
      type: 'object',
      additionalProperties: false,
      required: ['expiresAfterDays'],
      properties: { expiresAfterDays: { type: 'integer', minimum: 1, maximum: 365 } },
    },
  },
} as const;
