// The studio's condition builder: comparisons of typed fields, in groups joined by and/or, each
// group read on the review (or the proposed terms, or the indicator) itself or on some, every or
// no indicator. The fields are the slot's variables (rules/ruleset-slots.ts; a test checks each
// resolves there), named in words. A built condition compiles to the JSON-Logic the engine runs
// and reads as a sentence; the studio keeps it beside the rule as the escalation's or guard's
// template ({ template: 'condition' }).
import type { Issue } from '../model/errors.js';
import type { BuiltCondition, ConditionClause, ConditionGroup } from '../model/ruleset.js';

export type ConditionSlot = 'escalation' | 'contract-guard' | 'indicator-guard';

export interface ConditionField {
  /** The variable's path: on the slot's data, or on an indicator for a group over indicators. */
  path: string;
  label: string;
  type: 'number' | 'text';
  /** Null when not reported or not known: an ordering comparison then checks it is there first. */
  nullable?: boolean;
}

const n = (path: string, label: string, nullable = false): ConditionField => ({
  path,
  label,
  type: 'number',
  ...(nullable ? { nullable } : {}),
});
const t = (path: string, label: string, nullable = false): ConditionField => ({
  path,
  label,
  type: 'text',
  ...(nullable ? { nullable } : {}),
});

const termsFields: ConditionField[] = [
  t('id', 'id'),
  t('direction', 'direction ("higher" or "lower")'),
  n('weight', 'weight'),
  n('baseline', 'baseline'),
  n('target', 'target'),
  t('category', 'category', true),
  t('unit', 'unit', true),
  t('measurement', 'measurement ("level", "cumulative" or "to-date")', true),
];

/** The fields each slot offers: on itself, and on each indicator (for groups over the indicators). */
export const CONDITION_FIELDS: Record<ConditionSlot, { it: ConditionField[]; indicator: ConditionField[] }> =
  {
    escalation: {
      it: [
        n('composite', 'the composite'),
        t('grade', 'the grade'),
        t('period', 'the quarter ("Q1" to "Q4")'),
        n('missing.length', 'the number of figures not reported'),
        n('previous.last.composite', "the quarter before's composite", true),
        t('previous.last.grade', "the quarter before's grade", true),
        n('previous.lastYear.composite', "the same quarter's composite last year", true),
        t('previous.lastYear.grade', "the same quarter's grade last year", true),
      ],
      indicator: [
        n('actual', 'actual', true),
        n('periodTarget', "quarter's target"),
        n('score', 'score'),
        n('weightedScore', 'weighted score'),
        n('actualToDate', 'actual so far this year', true),
        ...termsFields.filter((f) => f.path !== 'category' && f.path !== 'measurement'),
      ],
    },
    'contract-guard': {
      it: [n('indicators.length', 'the number of indicators')],
      indicator: termsFields,
    },
    'indicator-guard': {
      it: [
        ...termsFields.map((f) => ({ ...f, label: `the indicator's ${f.label}` })),
        t('measurement', 'the indicator\'s measurement ("level", "cumulative" or "to-date")', true),
      ],
      indicator: [],
    },
  };

const OP_WORDS: Record<ConditionClause['op'], string> = {
  '==': 'is',
  '!=': 'is not',
  '<': 'is below',
  '<=': 'is at most',
  '>': 'is above',
  '>=': 'is at least',
  in: 'is one of',
  'not-in': 'is none of',
  missing: 'is not reported (empty)',
  present: 'is reported (not empty)',
};

export const OPERATORS = Object.entries(OP_WORDS).map(([op, words]) => ({
  op: op as ConditionClause['op'],
  words,
}));

const ORDERING = new Set(['<', '<=', '>', '>=']);

function fieldsOf(slot: ConditionSlot, group: ConditionGroup): ConditionField[] {
  return group.over === 'it' ? CONDITION_FIELDS[slot].it : CONDITION_FIELDS[slot].indicator;
}

/** The JSON-Logic a built condition stands for. */
export function compileCondition(slot: ConditionSlot, condition: BuiltCondition): unknown {
  return joined(
    condition.join,
    condition.groups.map((group) => {
      const fields = fieldsOf(slot, group);
      const inner = joined(
        group.join,
        group.clauses.map((c) => compileClause(c, fields)),
      );
      return group.over === 'it' ? inner : { [group.over]: [{ var: 'indicators' }, inner] };
    }),
  );
}

function compileClause(clause: ConditionClause, fields: readonly ConditionField[]): unknown {
  const field = fields.find((f) => f.path === clause.field);
  const left = { var: clause.field };
  switch (clause.op) {
    case 'missing':
      return { '==': [left, null] };
    case 'present':
      return { '!=': [left, null] };
    case 'in':
      return { in: [left, clause.value] };
    case 'not-in':
      return { '!': { in: [left, clause.value] } };
  }
  const other = clause.other ? fields.find((f) => f.path === clause.other) : undefined;
  const right = clause.other ? { var: clause.other } : clause.value;
  const comparison = { [clause.op]: [left, right] };
  if (!ORDERING.has(clause.op)) return comparison;
  // null compares as 0 in JSON-Logic: a figure not reported must not pass for a low one.
  const present = [field, other]
    .filter((f): f is ConditionField => f?.nullable === true)
    .map((f) => ({ '!=': [{ var: f.path }, null] }));
  return present.length > 0 ? { and: [...present, comparison] } : comparison;
}

function joined(join: 'and' | 'or', parts: unknown[]): unknown {
  return parts.length === 1 ? parts[0] : { [join]: parts };
}

/** The condition in words: "the grade is one of Fair or Poor, or some indicator has actual below quarter's target". */
export function describeBuilt(slot: ConditionSlot, condition: BuiltCondition): string {
  const groups = condition.groups.map((group) => {
    const fields = fieldsOf(slot, group);
    const clauses = group.clauses.map((c) => clauseWords(c, fields)).join(` ${group.join} `);
    switch (group.over) {
      case 'it':
        return clauses;
      case 'some':
        return `some indicator has ${clauses}`;
      case 'all':
        return `every indicator has ${clauses}`;
      case 'none':
        return `no indicator has ${clauses}`;
    }
  });
  const many = groups.length > 1;
  return groups.map((g) => (many ? `(${g})` : g)).join(` ${condition.join} `);
}

function clauseWords(clause: ConditionClause, fields: readonly ConditionField[]): string {
  const label = (path: string) => fields.find((f) => f.path === path)?.label ?? path;
  const value = clause.other
    ? label(clause.other)
    : Array.isArray(clause.value)
      ? clause.value.map((v) => `"${v}"`).join(', ')
      : typeof clause.value === 'string'
        ? `"${clause.value}"`
        : clause.value === undefined
          ? ''
          : String(clause.value);
  return `${label(clause.field)} ${OP_WORDS[clause.op]}${value ? ` ${value}` : ''}`;
}

/** What is wrong with a built condition, each at its place (/groups/<g>/clauses/<c>/field|op|value). */
export function conditionProblems(
  slot: ConditionSlot,
  condition: BuiltCondition,
  /** How the messages number a group and a comparison (a form's own numbering, from 0). */
  numbered: (group: number, clause: number) => { group: number; clause: number } = (group, clause) => ({
    group,
    clause,
  }),
): Issue[] {
  const issues: Issue[] = [];
  if (condition.groups.length === 0)
    issues.push({ pointer: '/groups', message: 'Give at least one comparison.' });
  condition.groups.forEach((group, g) => {
    const at = `/groups/${g}`;
    const fields = fieldsOf(slot, group);
    if (fields.length === 0)
      issues.push({
        pointer: `${at}/over`,
        message: `Group ${numbered(g, 0).group + 1}: there is no list of indicators here.`,
      });
    group.clauses.forEach((clause, c) => {
      const where = `${at}/clauses/${c}`;
      const place = numbered(g, c);
      const row = `Group ${place.group + 1}, comparison ${place.clause + 1}`;
      const field = fields.find((f) => f.path === clause.field);
      if (!field) {
        const elsewhere = [...CONDITION_FIELDS[slot].it, ...CONDITION_FIELDS[slot].indicator].some(
          (f) => f.path === clause.field,
        );
        issues.push({
          pointer: `${where}/field`,
          message: elsewhere
            ? `${row}: ${clause.field} is ${group.over === 'it' ? "an indicator's field: read the group on some, every or no indicator" : "not an indicator's field: read the group on the review itself"}.`
            : `${row}: choose a field.`,
        });
        return;
      }
      if (ORDERING.has(clause.op) && field.type !== 'number')
        issues.push({
          pointer: `${where}/op`,
          message: `${row}: ${field.label} is a text: use is, is not, is one of.`,
        });
      if ((clause.op === 'in' || clause.op === 'not-in') && field.type !== 'text')
        issues.push({
          pointer: `${where}/op`,
          message: `${row}: ${field.label} is a number: compare it (is, is below, …).`,
        });
      if (clause.op === 'missing' || clause.op === 'present') return;
      if (clause.other !== undefined) {
        const other = fields.find((f) => f.path === clause.other);
        if (!other || other.type !== field.type || clause.op === 'in' || clause.op === 'not-in')
          issues.push({
            pointer: `${where}/value`,
            message: `${row}: compare ${field.label} with a ${field.type} field of the same place, or with a value.`,
          });
        return;
      }
      const value = clause.value;
      const valid =
        clause.op === 'in' || clause.op === 'not-in'
          ? Array.isArray(value) && value.length > 0
          : field.type === 'number'
            ? typeof value === 'number' && Number.isFinite(value)
            : typeof value === 'string' && value !== '';
      if (!valid)
        issues.push({
          pointer: `${where}/value`,
          message:
            clause.op === 'in' || clause.op === 'not-in'
              ? `${row}: give the values, separated by commas.`
              : field.type === 'number'
                ? `${row}: give a number.`
                : `${row}: give a text.`,
        });
    });
  });
  return issues;
}
