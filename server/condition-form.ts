// The condition builder as a form, shared by the escalations and guards pages: groups of
// comparisons (field, operator, a value or another field) read from the posted fields
// cond.<group>.<row>.*, refusals placed back on the row they concern, and the view the
// condition-builder partial renders. Rows left empty are dropped; the groups keep their numbers.
import type { Issue } from '../model/errors.js';
import type { BuiltCondition, ConditionClause, ConditionGroup } from '../model/ruleset.js';
import {
  CONDITION_FIELDS,
  conditionProblems,
  OPERATORS,
  type ConditionField,
  type ConditionSlot,
} from '../rules/conditions.js';
import { decimal, one } from './form-values.js';

type Body = Record<string, string | string[] | undefined>;

export const GROUPS = 3;
export const ROWS = 4;
const OVER: ConditionGroup['over'][] = ['it', 'some', 'all', 'none'];

/** The posted condition and what is wrong with it, each at its form field (/condition/<g>/<row>/field|op|value). */
export function conditionIn(slot: ConditionSlot, body: Body): { condition: BuiltCondition; issues: Issue[] } {
  const known = [...CONDITION_FIELDS[slot].it, ...CONDITION_FIELDS[slot].indicator];
  const groups: ConditionGroup[] = [];
  const places: { group: number; rows: number[] }[] = [];
  for (let g = 0; g < GROUPS; g++) {
    const clauses: ConditionClause[] = [];
    const rows: number[] = [];
    for (let r = 0; r < ROWS; r++) {
      const at = (name: string) => one(body[`cond.${g}.${r}.${name}`]).trim();
      const field = at('field');
      if (!field) continue;
      const op: ConditionClause['op'] = OPERATORS.find((o) => o.op === at('op'))?.op ?? '==';
      const other = at('other');
      const text = at('value');
      const type = known.find((f) => f.path === field)?.type;
      let value: ConditionClause['value'];
      if (op === 'in' || op === 'not-in')
        value = text
          .split(',')
          .map((v) => v.trim())
          .filter(Boolean);
      else if (text === '') value = undefined;
      else if (type === 'number') {
        const number = decimal(text);
        value = Number.isFinite(number) ? number : undefined;
      } else value = text;
      clauses.push({
        field,
        op,
        ...(other && !text ? { other } : value === undefined ? {} : { value }),
      });
      rows.push(r);
    }
    if (clauses.length === 0) continue;
    const over = OVER.find((o) => o === one(body[`cond.${g}.over`])) ?? 'it';
    groups.push({ over, join: one(body[`cond.${g}.join`]) === 'or' ? 'or' : 'and', clauses });
    places.push({ group: g, rows });
  }
  const condition: BuiltCondition = { join: one(body['cond.join']) === 'or' ? 'or' : 'and', groups };
  const numbered = (g: number, c: number) => ({ group: places[g]!.group, clause: places[g]!.rows[c] ?? 0 });
  const issues = conditionProblems(slot, condition, numbered).map((issue) => {
    const match = /^\/groups\/(\d+)(?:\/clauses\/(\d+))?\/(\w+)$/.exec(issue.pointer);
    if (!match) return { ...issue, pointer: '/condition' };
    const place = places[Number(match[1])]!;
    return {
      ...issue,
      pointer:
        match[2] === undefined
          ? `/condition/${place.group}/${match[3]}`
          : `/condition/${place.group}/${place.rows[Number(match[2])]}/${match[3]}`,
    };
  });
  return { condition, issues };
}

/** Issue pointers the builder shows at a field; pass to fieldErrors with the page's own. */
export const CONDITION_POINTERS = String.raw`condition(?:\/\d+\/(?:\d+\/)?(?:field|op|value|over))?`;

/**
 * What the condition-builder partial renders: `sections` are the field lists offered (grouped in
 * the select), `places` how each group may be read (the review itself, some indicator, …).
 */
export function conditionView(
  sections: { label: string; fields: readonly ConditionField[] }[],
  places: Partial<Record<ConditionGroup['over'], string>>,
  posted: Body,
  errors: ReadonlyMap<string, string>,
) {
  const all = sections.flatMap((s) => s.fields);
  return {
    join: one(posted['cond.join']) === 'or' ? 'or' : 'and',
    error: errors.get('condition'),
    groups: Array.from({ length: GROUPS }, (_, g) => ({
      g,
      ordinal: g + 1,
      or: one(posted[`cond.${g}.join`]) === 'or',
      overError: errors.get(`condition/${g}/over`),
      over: Object.entries<string>(places).map(([key, label]) => ({
        key,
        label,
        selected: one(posted[`cond.${g}.over`]) === key,
      })),
      rows: Array.from({ length: ROWS }, (_, r) => {
        const at = (name: string) => one(posted[`cond.${g}.${r}.${name}`]);
        return {
          g,
          r,
          label: `group ${g + 1}, comparison ${r + 1}`,
          sections: sections.map((s) => ({
            label: s.label,
            fields: s.fields.map((f) => ({ ...f, selected: at('field') === f.path })),
          })),
          operators: OPERATORS.map((o) => ({ ...o, selected: at('op') === o.op })),
          text: at('value'),
          others: all.map((f) => ({ ...f, selected: at('other') === f.path })),
          fieldError: errors.get(`condition/${g}/${r}/field`),
          opError: errors.get(`condition/${g}/${r}/op`),
          valueError: errors.get(`condition/${g}/${r}/value`),
        };
      }),
    })),
  };
}
