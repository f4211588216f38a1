// The contract list's query, for the API and the list page alike: which contracts (stage, unit,
// category, grade, late, rule set, year), and which page of them.
import { validator } from '../model/validation.js';
import type { ContractFilters } from '../store/read-model.js';

export const STAGES = [
  'negotiation',
  'vetting',
  'signing',
  'active',
  'evaluation',
  'suspended',
  'closed',
  'terminated',
] as const;

export type ListQuery = ContractFilters & { limit?: string; cursor?: string };

export const checkListQuery = validator<ListQuery>({
  type: 'object',
  additionalProperties: false,
  properties: {
    stage: { enum: STAGES },
    unit: { type: 'string', minLength: 1, maxLength: 300 },
    late: { enum: ['true', 'false'] },
    grade: { type: 'string', minLength: 1, maxLength: 100 },
    category: { type: 'string', minLength: 1, maxLength: 100 },
    ruleSet: { type: 'string', minLength: 1, maxLength: 100 },
    year: { type: 'string', pattern: '^[12][0-9]{3}$' },
    limit: { type: 'string', pattern: '^(500|[1-4][0-9]{2}|[1-9][0-9]?)$' },
    cursor: { type: 'string', minLength: 1, maxLength: 100 },
  },
});

const FIELDS = ['stage', 'unit', 'late', 'grade', 'category', 'ruleSet', 'year', 'cursor'];

/**
 * The filters as a page's form sends them: fields left empty mean "any" (a form sends every field)
 * and other parameters (a link's tracking ones) are not the page's, so both are dropped before
 * the check.
 */
export function formQuery(query: Record<string, unknown>): ListQuery {
  return checkListQuery(
    Object.fromEntries(Object.entries(query).filter(([k, v]) => FIELDS.includes(k) && v !== '')),
  );
}
