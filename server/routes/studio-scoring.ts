// The rule studio's criteria table: how an indicator's actual scores (scoring.indicator), as rows
// from the worst value to the best, each a point on the indicator's scale and its score,
// interpolated or stepped; rows out of order or scores that do not improve refused at the row; a
// number line of what each actual scores for an example indicator of each direction. A rule that
// is not such a table is shown in words and left as written, unless the office replaces it.
import { Router, type Request, type Response } from 'express';
import type { Issue } from '../../model/errors.js';
import type { CriteriaPoint, CriteriaRow, CriteriaTable, RuleSetDraft } from '../../model/ruleset.js';
import {
  compileTable,
  declaredBy,
  describePoint,
  describeTable,
  pointValue,
  tableOf,
  tableProblems,
} from '../../rules/criteria-table.js';
import { evaluate, withWorkLimit } from '../../rules/engine/index.js';
import { describeRule } from '../../rules/sentences.js';
import { scoreLineChart } from '../../templates/charts.js';
import { principalOf } from '../auth/access.js';
import { statusOf, toCovenantError } from '../errors.js';
import { decimal, fieldErrors, one } from '../form-values.js';
import type { Pages } from '../pages.js';
import { editableDraft, editorOf, saveEdit, type StudioDeps } from '../studio-drafts.js';

type Body = Record<string, string | string[] | undefined>;

const SPARE_ROWS = 2;
/** Work units the current rule may take to give a starting table's score (rules/engine/budget.ts). */
const STARTING_WORK = 100_000;
const MAX_ROWS = 20;
const POINTS: { from: CriteriaPoint['from']; label: string }[] = [
  { from: 'baseline', label: 'the baseline' },
  { from: 'target', label: 'the target' },
  { from: 'span', label: '% of the way from the baseline to the target' },
  { from: 'beyond-target', label: '% beyond the target' },
];
/** The example indicators of the number line. */
const EXAMPLES = [
  { indicator: 'higher is better: 60 to 80', direction: 'higher', baseline: 60, target: 80 },
  { indicator: 'lower is better: 20 to 10', direction: 'lower', baseline: 20, target: 10 },
] as const;

export function studioScoringRoutes(deps: StudioDeps, pages: Pages): Router {
  const router = Router();

  router.get('/rulesets/:id/scoring', (req, res) => show(req, res, 200));

  router.post('/rulesets/:id/scoring', async (req, res) => {
    const id = String(req.params.id);
    const body = (req.body ?? {}) as Body;
    const { document, revision } = await editableDraft(deps.client, id);
    const better = document.scoring.better ?? 'higher';
    const { table, issues: placed, typed } = tableIn(body);
    const unplaced = new Set(placed.map((i) => i.pointer));
    const problems = [...placed, ...tableProblems(table, better).filter((i) => !unplaced.has(i.pointer))];
    if (problems.length > 0) return show(req, res, 400, table, problems, placed, typed);
    const previous = tableOf(document.scoring.indicator, document.studio?.indicator);
    const declared = declaredBy(table, document.scoring.criteria, previous);
    const scoring = { ...document.scoring };
    delete scoring.criteria;
    const draft: RuleSetDraft = {
      ...document,
      scoring: {
        ...scoring,
        indicator: compileTable(table),
        ...(Object.keys(declared).length > 0 ? { criteria: declared } : {}),
      },
      studio: { ...document.studio, indicator: table },
    };
    try {
      await saveEdit(deps, draft, editorOf(principalOf(req)), one(body.revision) || revision);
    } catch (err) {
      const refused = toCovenantError(err);
      if (!refused || statusOf(refused) >= 500) throw err;
      return show(req, res, statusOf(refused), table, refused.issues);
    }
    res.redirect(303, `/rulesets/${encodeURIComponent(id)}/scoring?saved=1`);
  });

  /** `unplaced`: rows posted without a place, shown with none chosen. */
  async function show(
    req: Request,
    res: Response,
    status: number,
    posted?: CriteriaTable,
    issues: Issue[] = [],
    unplaced: Issue[] = [],
    typed: Record<string, string> = {},
  ) {
    const blank = new Set(unplaced.map((i) => i.pointer));
    const id = String(req.params.id);
    const { document, revision } = await editableDraft(deps.client, id);
    const better = document.scoring.better ?? 'higher';
    const current = tableOf(document.scoring.indicator, document.studio?.indicator);
    const replacing = !current && req.query.start === '1';
    const table = posted ?? current ?? (replacing ? startingTable(document.scoring.indicator) : undefined);
    const base = { id, name: document.name, revision, better, saved: req.query.saved === '1' };
    if (!table) {
      return pages.send(res, status, 'ruleset-scoring', {
        ...base,
        written: describeRule(document.scoring.indicator),
      });
    }
    const { fields: errors, general } = fieldErrors(
      issues,
      /^\/(?:(rows)\/(\d+)\/(criterion|at|score)|(missing|below|decimals))$/,
    );
    const rows: (CriteriaRow | undefined)[] = [
      ...table.rows,
      ...Array.from({ length: Math.min(SPARE_ROWS, MAX_ROWS - table.rows.length) }, () => undefined),
    ];
    const sound = tableProblems(table, better).length === 0;
    pages.send(res, status, 'ruleset-scoring', {
      ...base,
      replacing,
      general,
      method: table.method,
      stepped: table.method === 'step',
      missing: shown(table.missing),
      below: shown(table.below),
      decimals: String(table.decimals ?? 2),
      missingError: errors.get('missing'),
      belowError: errors.get('below'),
      rows: rows.map((row, i) => ({
        index: i,
        row: i + 1,
        criterion: row?.criterion ?? '',
        share:
          typed[`share.${i}`] ??
          (row && 'share' in row.at && Number.isFinite(row.at.share)
            ? String(round(row.at.share * 100))
            : ''),
        score: typed[`score.${i}`] ?? (row && Number.isFinite(row.score) ? String(row.score) : ''),
        points: POINTS.map((p) => ({
          ...p,
          selected: !blank.has(`/rows/${i}/at`) && row?.at.from === p.from,
        })),
        criterionError: errors.get(`rows/${i}/criterion`),
        atError: errors.get(`rows/${i}/at`),
        scoreError: errors.get(`rows/${i}/score`),
      })),
      words: sound ? describeTable(table) : [],
      examples: sound ? examplesOf(table) : [],
      chart: sound ? await scoreLineChart(numberLine(table)) : undefined,
    });
  }

  return router;
}

/** The table as posted: filled rows in order (a row left empty is dropped); a row placed nowhere is refused. */
function tableIn(body: Body): { table: CriteriaTable; issues: Issue[]; typed: Record<string, string> } {
  const issues: Issue[] = [];
  /** What was typed where no number could be read, shown again beside its refusal. */
  const typed: Record<string, string> = {};
  const number = (text: string): number => decimal(text);
  const rows: CriteriaRow[] = [];
  for (let i = 0; i < MAX_ROWS; i++) {
    const criterion = one(body[`criterion.${i}`]).trim();
    const from = one(body[`from.${i}`]);
    const share = one(body[`share.${i}`]);
    const score = one(body[`score.${i}`]);
    // A row left empty is dropped; one with only a place chosen is kept, to be refused for its score.
    if (!criterion && !share.trim() && !score.trim() && !from) continue;
    if (share.trim() && !Number.isFinite(decimal(share))) typed[`share.${rows.length}`] = share;
    if (score.trim() && !Number.isFinite(decimal(score))) typed[`score.${rows.length}`] = score;
    if (!POINTS.some((p) => p.from === from))
      issues.push({
        pointer: `/rows/${rows.length}/at`,
        message: `Row ${rows.length + 1}: say where the row is on the scale.`,
      });
    const at: CriteriaPoint =
      from === 'span' || from === 'beyond-target'
        ? { from, share: Number((number(share) / 100).toPrecision(12)) }
        : { from: from === 'target' ? 'target' : 'baseline' };
    rows.push({ ...(criterion ? { criterion } : {}), at, score: number(score) });
  }
  const method = one(body.method) === 'step' ? 'step' : 'interpolate';
  const decimals = Number(one(body.decimals));
  const table: CriteriaTable = {
    kind: 'criteria',
    method,
    missing: number(one(body.missing)),
    ...(method === 'step'
      ? { below: number(one(body.below)) }
      : { decimals: Number.isInteger(decimals) && decimals >= 0 && decimals <= 10 ? decimals : 2 }),
    rows,
  };
  return { table, issues, typed };
}

/**
 * A table to start from when the rule is not one: what the current rule scores at the baseline, the
 * target and 20% beyond it for the higher-is-better example (a starting point the office checks,
 * not a reading of the rule).
 */
function startingTable(rule: unknown): CriteriaTable {
  const { baseline, target, direction } = EXAMPLES[0];
  const at = (actual: number | null, fallback: number): number => {
    try {
      // The current rule, run here (not in a rule thread) under the engine's work limit.
      const value = withWorkLimit(STARTING_WORK, () =>
        evaluate(rule, exampleData(actual, baseline, target, direction)),
      );
      return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
    } catch {
      return fallback;
    }
  };
  return {
    kind: 'criteria',
    method: 'interpolate',
    missing: at(null, 0),
    decimals: 2,
    rows: [
      { at: { from: 'baseline' }, score: at(baseline, 0) },
      { at: { from: 'target' }, score: at(target, 50) },
      { at: { from: 'beyond-target', share: 0.2 }, score: at(target * 1.2, 100) },
    ],
  };
}

function exampleData(actual: number | null, baseline: number, target: number, direction: string) {
  return {
    id: 'example',
    name: 'Example',
    unit: null,
    direction,
    baseline,
    target,
    weight: 100,
    actual,
    period: 'year',
    periodBaseline: baseline,
    periodTarget: target,
    actualToDate: actual,
    targetToDate: target,
  };
}

/** Each row's value for each example indicator: "the target: 80 → 3". */
function examplesOf(table: CriteriaTable) {
  return EXAMPLES.map((e) => ({
    indicator: e.indicator,
    rows: table.rows.map((row) => ({
      point: describePoint(row.at),
      at: round(pointValue(row.at, e.baseline, e.target, e.direction === 'lower')),
      score: row.score,
    })),
  }));
}

/** What the compiled rule (the engine, not a copy of its arithmetic) scores along each example's scale. */
function numberLine(table: CriteriaTable) {
  const rule = compileTable(table);
  return EXAMPLES.flatMap((e) => {
    const values = table.rows.map((row) => pointValue(row.at, e.baseline, e.target, e.direction === 'lower'));
    const low = Math.min(...values);
    const high = Math.max(...values);
    const margin = (high - low) / 4 || 1;
    const steps = 80;
    return Array.from({ length: steps + 1 }, (_, i) => {
      const actual = low - margin + ((high - low + 2 * margin) * i) / steps;
      const score = evaluate(rule, exampleData(actual, e.baseline, e.target, e.direction));
      return { indicator: e.indicator, actual: round(actual), score: Number(score) };
    });
  });
}

/** A number as the form shows it: empty when there is none (or none could be read). */
function shown(n: number | undefined): string {
  return n !== undefined && Number.isFinite(n) ? String(n) : '';
}

function round(n: number): number {
  return Number(n.toFixed(6));
}
