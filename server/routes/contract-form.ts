// The performance office's contract form: parties, indicators (measurement, phasing, history,
// targets, weights), the action plan; a copy of last year's contract to start from. The terms are
// vetted as they are typed (client/app.ts asks /contracts/new/check) and again when sent, by the
// same code the API runs (../contract-creation.ts), so nothing is sent that vetting would refuse.
import { Router, type Response } from 'express';
import { addDays, addMonths } from '../../model/calendar.js';
import type { ContractInput } from '../../model/contract.js';
import { CovenantError, type Issue } from '../../model/errors.js';
import type { ContractState } from '../../model/state.js';
import { prepareContract, startContract, type CreationDeps } from '../contract-creation.js';
import {
  contractOf,
  fieldOf,
  fieldsOf,
  ROWS,
  rowCount,
  type Fields,
  type RowList,
} from '../contract-form-fields.js';
import { toCovenantError } from '../errors.js';
import type { Pages } from '../pages.js';
import { listRuleSets } from '../ruleset-registry.js';

/** Blank rows a new form offers, per list; "Add a row" adds one. */
const BLANK_ROWS: Record<RowList, number> = { managers: 1, indicators: 3, actionPlan: 1 };
const MAX_ROWS = 100;

export function contractFormRoutes(deps: CreationDeps, pages: Pages): Router {
  const router = Router();

  router.get('/new', async (req, res) => {
    const from = typeof req.query.from === 'string' ? req.query.from : undefined;
    const fields = from ? fieldsOf(nextYearOf(await deps.reads.state(from))) : {};
    await show(res, 200, fields, [], from ? { copiedFrom: from } : {});
  });

  router.post('/new', async (req, res) => {
    const fields = fieldsIn(req.body);
    const adding = /^add-(managers|indicators|actionPlan)$/.exec(fields.action ?? '')?.[1] as
      RowList | undefined;
    if (adding) return show(res, 200, fields, [], { adding });
    const form = contractOf(fields);
    try {
      const input = await prepareContract(deps, form.body);
      await startContract(deps, input);
      res.redirect(303, `/contracts/${encodeURIComponent(input.contract.id)}?done=created`);
    } catch (err) {
      const refused = toCovenantError(err);
      if (!refused || refused.code === 'unavailable') throw err;
      const issues =
        refused.code === 'conflict'
          ? [{ pointer: '/id', message: 'A contract with this id exists already.' }]
          : refused.issues;
      await show(res, 400, fields, issues);
    }
  });

  // Live vetting: the same checks on what is typed so far, answered as fields to mark.
  router.post('/new/check', async (req, res) => {
    const fields = fieldsIn((req.body as { fields?: unknown } | undefined)?.fields);
    const form = contractOf(fields);
    const names = new Set(Object.keys(fields));
    let issues: Issue[] = [];
    let suggestions: Record<string, string> = {};
    try {
      const { contract } = await prepareContract(deps, form.body);
      suggestions = suggestionsOf(contract, form.rows.indicators);
    } catch (err) {
      if (!(err instanceof CovenantError) || err.code !== 'invalid') throw err;
      issues = err.issues;
    }
    res.json({
      issues: issues.map((issue) => ({ field: fieldOf(issue, form, names), message: issue.message })),
      suggestions,
    });
  });

  /** The form with these values, each refusal beside its field, and blank rows to fill. */
  async function show(
    res: Response,
    status: number,
    fields: Fields,
    issues: readonly Issue[],
    options: { copiedFrom?: string; adding?: RowList; suggestions?: Record<string, string> } = {},
  ): Promise<void> {
    const suggestions = options.suggestions ?? {};
    const form = contractOf(fields);
    const names = new Set<string>(allFieldNames(fields, options.adding));
    const errors: Record<string, string> = {};
    const general: string[] = [];
    for (const issue of issues) {
      const field = fieldOf(issue, form, names);
      if (field) errors[field] = errors[field] ? `${errors[field]} ${issue.message}` : issue.message;
      else general.push(`${issue.pointer ? `${issue.pointer}: ` : ''}${issue.message}`);
    }
    const ruleSets = await listRuleSets(deps.client, deps.taskQueue);
    const row = (list: RowList, index: number | '__index__') => ({
      row: index === '__index__' ? '__row__' : index + 1,
      cells: Object.fromEntries(
        [...ROWS[list], 'extra'].map((f) => {
          const name = `${list}.${index}.${f}`;
          return [
            f.replace('.', '_'),
            { name, value: fields[name] ?? '', error: errors[name], suggestion: suggestions[name] },
          ];
        }),
      ),
    });
    const rows = (list: RowList) =>
      Array.from({ length: rowsShown(fields, list, options.adding) }, (_, i) => row(list, i));
    const field = (name: string) => ({ name, value: fields[name] ?? '', error: errors[name] });
    pages.send(res, status, 'contract-form', {
      copiedFrom: options.copiedFrom,
      general,
      field: Object.fromEntries(
        [
          'id',
          'title',
          'category',
          'objectives',
          'principal.name',
          'principal.signatory.name',
          'principal.signatory.email',
          'unit.name',
          'unit.signatory.name',
          'unit.signatory.email',
          'period.start',
          'period.end',
          'period.reportDueDays',
          'ruleSet',
        ].map((name) => [name.replaceAll('.', '_'), field(name)]),
      ),
      categories: deps.categories,
      ruleSets: ruleSets.flatMap((r) =>
        r.versions.map((v) => ({ ref: `${r.id}@${v}`, label: `${r.name} (${r.id}) v${v}` })),
      ),
      managers: rows('managers'),
      indicators: rows('indicators'),
      actionPlan: rows('actionPlan'),
      // The rows "Add a row" copies (client/app.ts numbers them).
      managersTemplate: row('managers', '__index__'),
      indicatorsTemplate: row('indicators', '__index__'),
      actionPlanTemplate: row('actionPlan', '__index__'),
    });
  }

  return router;
}

/** The form's string fields only (a body may carry anything). */
function fieldsIn(body: unknown): Fields {
  const fields: Fields = {};
  if (typeof body !== 'object' || body === null) return fields;
  for (const [name, value] of Object.entries(body)) if (typeof value === 'string') fields[name] = value;
  return fields;
}

function rowsShown(fields: Fields, list: RowList, adding?: RowList): number {
  const filled = rowCount(fields, list);
  const shown =
    Math.max(filled, Object.keys(fields).length === 0 ? BLANK_ROWS[list] : 0) + (adding === list ? 1 : 0);
  return Math.min(Math.max(shown, 1), MAX_ROWS);
}

function allFieldNames(fields: Fields, adding?: RowList): string[] {
  const names = [
    ...['id', 'title', 'category', 'objectives', 'ruleSet'],
    ...['principal', 'unit'].flatMap((s) => [`${s}.name`, `${s}.signatory.name`, `${s}.signatory.email`]),
    ...['period.start', 'period.end', 'period.reportDueDays'],
  ];
  for (const list of Object.keys(ROWS) as RowList[]) {
    for (let i = 0; i < rowsShown(fields, list, adding); i++)
      for (const f of ROWS[list]) names.push(`${list}.${i}.${f}`);
  }
  return names;
}

/** What Covenant suggests for each indicator's target, by the form's target field. */
function suggestionsOf(contract: ContractInput, rows: number[]): Record<string, string> {
  const suggestions: Record<string, string> = {};
  contract.indicators.forEach((indicator, i) => {
    // No suggestion without history or peers (its target is null then).
    if (typeof indicator.suggestion?.target === 'number')
      suggestions[`indicators.${rows[i]}.target`] = `suggested ${indicator.suggestion.target}`;
  });
  return suggestions;
}

/**
 * Next year's terms from a contract: the same parties, indicators and plan, the period a year on,
 * last year's actual (where the year was evaluated) as the baseline and the newest history value.
 */
function nextYearOf(state: ContractState): Partial<ContractInput> {
  const revision = state.revisions[state.revision - 1];
  const start = addDays(state.period.end, 1);
  const year = Number(start.slice(0, 4));
  const actuals = new Map((state.evaluation?.indicators ?? []).map((i) => [i.id, i.actual]));
  return {
    id: state.id.includes(String(year - 1))
      ? state.id.replace(String(year - 1), String(year))
      : `${state.id}-${year}`,
    title: state.title.includes(String(year - 1))
      ? state.title.replace(String(year - 1), String(year))
      : state.title,
    principal: state.principal,
    unit: state.unit,
    managers: state.managers,
    period: { ...state.period, start, end: addDays(addMonths(start, 12), -1) },
    ruleSet: state.ruleSet,
    ...(state.category ? { category: state.category } : {}),
    ...(state.objectives ? { objectives: state.objectives } : {}),
    indicators: (revision?.indicators ?? []).map(({ suggestion: _, justification: __, ...indicator }) => {
      const actual = actuals.get(indicator.id);
      return typeof actual === 'number'
        ? { ...indicator, baseline: actual, history: [...(indicator.history ?? []), actual] }
        : indicator;
    }),
    ...(revision?.actionPlan
      ? { actionPlan: revision.actionPlan.map(({ milestones: _, status: __, ...i }) => i) }
      : {}),
  };
}
