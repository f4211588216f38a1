// The contract form's fields and the contract they describe. Fields are named by the JSON path of
// what they hold (`unit.signatory.email`, `indicators.2.weight`), so a refusal's JSON pointer names
// its field. Rows left empty are dropped; the rows kept are remembered, so a pointer into the
// contract (`/indicators/1`) still finds the row the person filled in.
import type { ContractInput, Indicator } from '../model/contract.js';
import type { InitiativeInput } from '../model/action-plan.js';
import type { Issue } from '../model/errors.js';

export type Fields = Record<string, string>;

/** The lists of rows the form has, and the fields of each row. */
export const ROWS = {
  managers: ['name', 'email'],
  indicators: [
    'id',
    'name',
    'unit',
    'direction',
    'baseline',
    'target',
    'weight',
    'measurement',
    'phasing',
    'history',
    'justification',
  ],
  actionPlan: ['id', 'title', 'indicators', 'owner.name', 'owner.email'],
} as const;
export type RowList = keyof typeof ROWS;

const NUMBERS = new Set(['baseline', 'target', 'weight']);

/**
 * What an indicator may hold that the form has no field for (its own criteria, quarterly targets,
 * phasing weights, a benchmark…): carried in a hidden field, so a copied contract loses nothing.
 */
const EXTRA = [
  'description',
  'category',
  'aggregation',
  'criteria',
  'targets',
  'phasing',
  'benchmark',
] as const;

/** What the form describes, and for each list the form row each kept element came from. */
export interface FormContract {
  body: Record<string, unknown>;
  rows: Record<RowList, number[]>;
}

export function contractOf(fields: Fields): FormContract {
  const value = (name: string) => fields[name]?.trim() ?? '';
  const rows = { managers: [], indicators: [], actionPlan: [] } as Record<RowList, number[]>;
  const list = <T>(name: RowList, build: (at: (field: string) => string) => T): T[] => {
    const out: T[] = [];
    for (let i = 0; i < rowCount(fields, name); i++) {
      const at = (field: string) => value(`${name}.${i}.${field}`);
      if (ROWS[name].every((f) => !at(f) || (name === 'indicators' && f === 'direction'))) continue;
      rows[name].push(i);
      out.push(build(at));
    }
    return out;
  };
  const person = (prefix: string) => ({ name: value(`${prefix}.name`), email: value(`${prefix}.email`) });
  const [ruleSetId, ruleSetVersion] = value('ruleSet').split('@');
  const body: Record<string, unknown> = {
    id: value('id'),
    title: value('title'),
    ...(value('category') ? { category: value('category') } : {}),
    ...(value('objectives') ? { objectives: lines(value('objectives')) } : {}),
    principal: { name: value('principal.name'), signatory: person('principal.signatory') },
    unit: { name: value('unit.name'), signatory: person('unit.signatory') },
    managers: list('managers', (at) => ({ name: at('name'), email: at('email') })),
    period: {
      start: value('period.start'),
      end: value('period.end'),
      reporting: 'quarterly',
      reportDueDays: numberOf(value('period.reportDueDays')),
    },
    ruleSet: { id: ruleSetId ?? '', version: numberOf(ruleSetVersion ?? '') },
    indicators: list('indicators', (at) => indicatorOf(at)),
  };
  const plan = list('actionPlan', (at) => ({
    id: at('id'),
    title: at('title'),
    indicators: at('indicators')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    owner: { name: at('owner.name'), email: at('owner.email') },
  }));
  if (plan.length > 0) body.actionPlan = plan;
  return { body, rows };
}

function indicatorOf(at: (field: string) => string): Record<string, unknown> {
  const indicator: Record<string, unknown> = { id: at('id'), name: at('name'), direction: at('direction') };
  for (const field of NUMBERS) indicator[field] = numberOf(at(field));
  if (at('unit')) indicator.unit = at('unit');
  if (at('measurement')) indicator.measurement = at('measurement');
  if (at('phasing')) indicator.phasing = at('phasing');
  if (at('justification')) indicator.justification = at('justification');
  const extra = at('extra');
  if (extra) {
    try {
      const parsed = JSON.parse(extra) as Record<string, unknown>;
      for (const key of EXTRA)
        if (parsed[key] !== undefined && indicator[key] === undefined) indicator[key] = parsed[key];
    } catch {
      indicator.extra = extra; // refused by the schema, at this row
    }
  }
  if (at('history'))
    indicator.history = at('history')
      .split(/[,;\s]+/)
      .filter(Boolean)
      .map(numberOf);
  return indicator;
}

/** A number as people type it (1 234, 1,234.5); anything else as typed, for the schema to refuse. */
function numberOf(typed: string): number | string {
  const plain = typed.replace(/[\s,](?=\d{3}\b)/g, '');
  return /^-?\d+(\.\d+)?$/.test(plain) ? Number(plain) : typed;
}

function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/** How many rows of a list the form holds (the highest index given, plus one). */
export function rowCount(fields: Fields, name: RowList): number {
  let count = 0;
  for (const key of Object.keys(fields)) {
    const index = new RegExp(`^${name}\\.(\\d{1,3})\\.`).exec(key)?.[1];
    if (index !== undefined) count = Math.max(count, Number(index) + 1);
  }
  return count;
}

/**
 * The form field an issue concerns: its pointer as a field name, rows numbered as the form numbers
 * them; a whole row's issue (a guard on one indicator) is shown at its target. Undefined when no
 * field of the form holds it (it is shown above the form).
 */
export function fieldOf(issue: Issue, form: FormContract, names: ReadonlySet<string>): string | undefined {
  const parts = issue.pointer
    .split('/')
    .slice(1)
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  const list = parts[0] as RowList;
  if (list in ROWS && parts[1] !== undefined) {
    const row = form.rows[list][Number(parts[1])];
    if (row === undefined) return undefined;
    parts[1] = String(row);
    // `history/2` is the one history field; `indicators/0` alone is that row's target.
    if (list === 'indicators' && parts[2] === 'history') parts.length = 3;
    if (list === 'indicators' && parts.length === 2) parts.push('target');
    if (list === 'actionPlan' && parts[2] === 'indicators') parts.length = 3;
  }
  if (parts[0] === 'ruleSet') parts.length = 1;
  if (parts[0] === 'objectives') parts.length = 1;
  const name = parts.join('.');
  return names.has(name) ? name : undefined;
}

/** The fields of a contract, to show it in the form (a copy of last year's, or the terms posted). */
export function fieldsOf(contract: Partial<ContractInput>): Fields {
  const fields: Fields = {};
  const set = (name: string, value: string | number | undefined) => {
    if (value !== undefined && value !== '') fields[name] = String(value);
  };
  set('id', contract.id);
  set('title', contract.title);
  set('category', contract.category);
  set('objectives', contract.objectives?.join('\n'));
  for (const side of ['principal', 'unit'] as const) {
    set(`${side}.name`, contract[side]?.name);
    set(`${side}.signatory.name`, contract[side]?.signatory.name);
    set(`${side}.signatory.email`, contract[side]?.signatory.email);
  }
  contract.managers?.forEach((m, i) => {
    set(`managers.${i}.name`, m.name);
    set(`managers.${i}.email`, m.email);
  });
  set('period.start', contract.period?.start);
  set('period.end', contract.period?.end);
  set('period.reportDueDays', contract.period?.reportDueDays);
  if (contract.ruleSet) set('ruleSet', `${contract.ruleSet.id}@${contract.ruleSet.version}`);
  contract.indicators?.forEach((indicator: Indicator, i) => {
    for (const field of ROWS.indicators) {
      const value = indicator[field];
      set(
        `indicators.${i}.${field}`,
        Array.isArray(value) ? value.join(', ') : typeof value === 'object' ? undefined : value,
      );
    }
    const extra = Object.fromEntries(
      EXTRA.filter(
        (k) => indicator[k] !== undefined && !(k === 'phasing' && typeof indicator[k] === 'string'),
      ).map((k) => [k, indicator[k]]),
    );
    if (Object.keys(extra).length > 0) set(`indicators.${i}.extra`, JSON.stringify(extra));
  });
  contract.actionPlan?.forEach((initiative: InitiativeInput, i) => {
    set(`actionPlan.${i}.id`, initiative.id);
    set(`actionPlan.${i}.title`, initiative.title);
    set(`actionPlan.${i}.indicators`, initiative.indicators.join(', '));
    set(`actionPlan.${i}.owner.name`, initiative.owner.name);
    set(`actionPlan.${i}.owner.email`, initiative.owner.email);
  });
  return fields;
}
