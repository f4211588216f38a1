// An indicator's score as a table of criteria: rows from the worst value to the best, each a point
// on the indicator's scale (its baseline, its target, a share of the way between or beyond them)
// and the score there, interpolated in a straight line or stepped, for either direction. Compiled
// to the JSON-Logic the engine runs as scoring.indicator; the studio keeps the table beside the
// rule (RuleSet.studio.indicator) and edits it only while the rule is still what it compiles to.
import { sameJson } from '../model/json.js';
import type { Issue } from '../model/errors.js';
import type { CriteriaPoint, CriteriaRow, CriteriaTable } from '../model/ruleset.js';

const BASELINE = { var: ['periodBaseline', { var: 'baseline' }] };
const TARGET = { var: ['periodTarget', { var: 'target' }] };
const ACTUAL = { var: 'actual' };
const LOWER = { '==': [{ var: 'direction' }, 'lower'] };

/** The value a point stands for, as JSON-Logic over the indicator's (phased) baseline and target. */
function pointRule(at: CriteriaPoint): unknown {
  switch (at.from) {
    case 'baseline':
      return BASELINE;
    case 'target':
      return TARGET;
    case 'span':
      return { '+': [BASELINE, { '*': [at.share, { '-': [TARGET, BASELINE] }] }] };
    case 'beyond-target':
      return { '+': [TARGET, { '*': [{ abs: [TARGET] }, { if: [LOWER, -at.share, at.share] }] }] };
  }
}

/** A row's value: the indicator's own criteria.<name> when the row names one and the indicator sets it. */
function rowValue(row: CriteriaRow): unknown {
  const point = pointRule(row.at);
  return row.criterion ? { var: [`criteria.${row.criterion}`, point] } : point;
}

/** Reached: the actual at or beyond the value, in the indicator's direction. */
function reached(value: unknown): unknown {
  return { if: [LOWER, { '<=': [ACTUAL, value] }, { '>=': [ACTUAL, value] }] };
}

/**
 * The JSON-Logic the table stands for (scoring.indicator): from the best row down, the first row the
 * actual reaches gives its score, or the straight line from it to the row above (interpolated); short
 * of the first row, the first row's score (interpolated) or the score below it (stepped). Rows that
 * meet at one value for an indicator (a target of 0 and a row beyond it; a baseline equal to the
 * target) so score as the better row, which one interpolation over all the rows would not.
 */
export function compileTable(table: CriteriaTable): unknown {
  const notReported = { '==': [ACTUAL, null] };
  const rows = table.rows;
  const values = rows.map(rowValue);
  const branches: unknown[] = [];
  for (let k = rows.length - 1; k >= 0; k--) {
    const above = rows[k + 1];
    branches.push(
      reached(values[k]),
      table.method === 'step' || !above
        ? rows[k]!.score
        : {
            round: [
              {
                interpolate: [
                  ACTUAL,
                  [
                    [values[k], rows[k]!.score],
                    [values[k + 1], above.score],
                  ],
                ],
              },
              table.decimals ?? 2,
            ],
          },
    );
  }
  const short = table.method === 'step' ? (table.below ?? table.missing) : (rows[0]?.score ?? table.missing);
  return { if: [notReported, table.missing, ...branches, short] };
}

/** The one interpolation over every row that the built-in default is written as (read, not written). */
function compileOneLine(table: CriteriaTable): unknown {
  return {
    if: [
      { '==': [ACTUAL, null] },
      table.missing,
      {
        round: [
          { interpolate: [ACTUAL, table.rows.map((row) => [rowValue(row), row.score])] },
          table.decimals ?? 2,
        ],
      },
    ],
  };
}

/**
 * The table a rule is: the studio's own description while the rule is still what it compiles to,
 * else a rule written exactly as a table compiles (read back, compiled again and compared, so
 * nothing is guessed); undefined for anything else.
 */
export function tableOf(rule: unknown, described?: CriteriaTable): CriteriaTable | undefined {
  if (described && sameJson(compileTable(described), rule)) return described;
  const read = readTable(rule);
  return read && (sameJson(compileTable(read), rule) || sameJson(compileOneLine(read), rule))
    ? read
    : undefined;
}

function readTable(rule: unknown): CriteriaTable | undefined {
  const found = field(rule, 'if');
  if (!Array.isArray(found)) return undefined;
  const chain = found as unknown[];
  if (chain.length < 3 || typeof chain[1] !== 'number') return undefined;
  const missing = chain[1];
  if (chain.length === 3) {
    const round = field(chain[2], 'round');
    if (!Array.isArray(round) || typeof round[1] !== 'number') return undefined;
    const interpolate = field(round[0], 'interpolate');
    if (!Array.isArray(interpolate) || !Array.isArray(interpolate[1])) return undefined;
    const rows: CriteriaRow[] = [];
    for (const pair of interpolate[1] as unknown[]) {
      if (!Array.isArray(pair) || typeof pair[1] !== 'number') return undefined;
      const row = readRow(pair[0], pair[1]);
      if (!row) return undefined;
      rows.push(row);
    }
    return { kind: 'criteria', method: 'interpolate', missing, decimals: round[1], rows };
  }
  if (chain.length % 2 === 0) return undefined;
  // A chain from the best row down: each row reached gives its score, or (interpolated) the line
  // from it to the row above.
  const rows: CriteriaRow[] = [];
  let decimals: number | undefined;
  for (let i = 2; i + 1 < chain.length; i += 2) {
    const ifLower = field(chain[i], 'if');
    const result = chain[i + 1];
    let score: unknown = result;
    const round = field(result, 'round');
    if (Array.isArray(round)) {
      const line = field(round[0], 'interpolate');
      const first = Array.isArray(line) && Array.isArray(line[1]) ? (line[1] as unknown[])[0] : undefined;
      score = Array.isArray(first) ? first[1] : undefined;
      if (typeof round[1] === 'number') decimals = round[1];
    }
    if (!Array.isArray(ifLower) || typeof score !== 'number') return undefined;
    const atMost = field(ifLower[1], '<=');
    const row = Array.isArray(atMost) ? readRow(atMost[1], score) : undefined;
    if (!row) return undefined;
    rows.unshift(row);
  }
  const short = chain.at(-1);
  if (typeof short !== 'number') return undefined;
  return decimals === undefined
    ? { kind: 'criteria', method: 'step', missing, below: short, rows }
    : { kind: 'criteria', method: 'interpolate', missing, decimals, rows };
}

function readRow(value: unknown, score: number): CriteriaRow | undefined {
  const named = field(value, 'var');
  if (Array.isArray(named) && typeof named[0] === 'string' && named[0].startsWith('criteria.')) {
    const at = readPoint(named[1]);
    return at && { criterion: named[0].slice('criteria.'.length), at, score };
  }
  const at = readPoint(value);
  return at && { at, score };
}

function readPoint(value: unknown): CriteriaPoint | undefined {
  if (sameJson(value, BASELINE)) return { from: 'baseline' };
  if (sameJson(value, TARGET)) return { from: 'target' };
  const sum = field(value, '+');
  if (!Array.isArray(sum)) return undefined;
  const product = field(sum[1], '*');
  if (!Array.isArray(product)) return undefined;
  if (typeof product[0] === 'number') return { from: 'span', share: product[0] };
  const sign = field(product[1], 'if');
  if (Array.isArray(sign) && typeof sign[2] === 'number') return { from: 'beyond-target', share: sign[2] };
  return undefined;
}

/** The value a point has for an indicator's baseline, target and direction (the preview's numbers). */
export function pointValue(at: CriteriaPoint, baseline: number, target: number, lower: boolean): number {
  switch (at.from) {
    case 'baseline':
      return baseline;
    case 'target':
      return target;
    case 'span':
      return baseline + at.share * (target - baseline);
    case 'beyond-target':
      return target + Math.abs(target) * (lower ? -at.share : at.share);
  }
}

/** The point in words: "the baseline", "halfway from the baseline to the target", "20% beyond the target". */
export function describePoint(at: CriteriaPoint): string {
  switch (at.from) {
    case 'baseline':
      return 'the baseline';
    case 'target':
      return 'the target';
    case 'span':
      return at.share < 0
        ? `${percent(-at.share)} of the span short of the baseline`
        : at.share <= 1
          ? `${percent(at.share)} of the way from the baseline to the target`
          : `${percent(at.share - 1)} of the span beyond the target`;
    case 'beyond-target':
      return `${percent(at.share)} beyond the target`;
  }
}

/** The table in sentences, for the studio and the rule set's page. */
export function describeTable(table: CriteriaTable): string[] {
  const row = (r: CriteriaRow) =>
    `${r.score} at ${describePoint(r.at)}${r.criterion ? ` (or the indicator's own "${r.criterion}")` : ''}`;
  const sentences = [`When the actual is not reported, the score is ${table.missing}.`];
  if (table.method === 'interpolate') {
    sentences.push(
      `Otherwise the score runs in a straight line between ${list(table.rows.map(row))}, no further than the first and last, rounded to ${table.decimals ?? 2} decimals.`,
    );
  } else {
    for (const r of [...table.rows].reverse())
      sentences.push(
        `When the actual is at or beyond ${describePoint(r.at)}${r.criterion ? ` (or the indicator's own "${r.criterion}")` : ''}, in the indicator's direction, the score is ${r.score}.`,
      );
    sentences.push(`Any other actual scores ${table.below ?? table.missing}.`);
  }
  return sentences;
}

/**
 * What is wrong with a table, each at its row (/rows/<i>/at, /rows/<i>/score, /rows/<i>/criterion):
 * rows not in order from the worst value to the best (they would overlap), scores that do not
 * improve row by row in the scale's direction, a criterion named twice, too few rows.
 */
export function tableProblems(table: CriteriaTable, better: 'higher' | 'lower'): Issue[] {
  const issues: Issue[] = [];
  const minimum = table.method === 'interpolate' ? 2 : 1;
  if (table.rows.length < minimum)
    issues.push({ pointer: '/rows', message: `Give at least ${minimum} rows.` });
  if (!Number.isFinite(table.missing))
    issues.push({ pointer: '/missing', message: 'The score when not reported must be a number.' });
  if (table.method === 'step' && !Number.isFinite(table.below ?? NaN))
    issues.push({ pointer: '/below', message: 'The score short of the first row must be a number.' });
  const names = new Set<string>();
  table.rows.forEach((r, i) => {
    const n = i + 1;
    if (r.criterion !== undefined) {
      if (
        !/^[A-Za-z][A-Za-z0-9_]{0,49}$/.test(r.criterion) ||
        r.criterion === 'constructor' ||
        r.criterion === 'prototype'
      )
        issues.push({
          pointer: `/rows/${i}/criterion`,
          message: `Row ${n}: a criterion name of letters, digits and _, starting with a letter, e.g. poor.`,
        });
      else if (names.has(r.criterion))
        issues.push({ pointer: `/rows/${i}/criterion`, message: `Row ${n}: ${r.criterion} is named twice.` });
      names.add(r.criterion);
    }
    if ('share' in r.at && !Number.isFinite(r.at.share))
      issues.push({ pointer: `/rows/${i}/at`, message: `Row ${n}: the share must be a number, e.g. 50.` });
    else if (r.at.from === 'beyond-target' && r.at.share <= 0)
      issues.push({ pointer: `/rows/${i}/at`, message: `Row ${n}: beyond the target by more than 0%.` });
    if (!Number.isFinite(r.score)) {
      issues.push({ pointer: `/rows/${i}/score`, message: `Row ${n}: the score must be a number.` });
      return;
    }
    const above = table.rows[i - 1];
    if (!above) return;
    if (before(above.at, r.at) === false)
      issues.push({
        pointer: `/rows/${i}/at`,
        message: `Row ${n}: ${describePoint(r.at)} is not beyond row ${i}'s ${describePoint(above.at)}: rows go from the worst value to the best, so these would overlap.`,
      });
    if (Number.isFinite(above.score) && !(better === 'lower' ? r.score < above.score : r.score > above.score))
      issues.push({
        pointer: `/rows/${i}/score`,
        message: `Row ${n}: ${r.score} is not ${better === 'lower' ? 'below' : 'above'} row ${i}'s ${above.score}: each row scores better than the one before it (${better} is better).`,
      });
  });
  return issues;
}

/** Whether a comes before b on the way from the baseline to beyond the target; undefined when it depends on the figures. */
function before(a: CriteriaPoint, b: CriteriaPoint): boolean | undefined {
  const onSpan = (p: CriteriaPoint): number | undefined =>
    p.from === 'baseline' ? 0 : p.from === 'target' ? 1 : p.from === 'span' ? p.share : undefined;
  const x = onSpan(a);
  const y = onSpan(b);
  if (x !== undefined && y !== undefined) return x < y;
  if (a.from === 'beyond-target' && b.from === 'beyond-target') return a.share < b.share;
  if (b.from === 'beyond-target') return x! <= 1 ? true : undefined;
  return y! <= 1 ? false : undefined;
}

/**
 * The criteria the table lets an indicator set, each with what it means (scoring.criteria): the
 * rule set's own words for a row the edit left as it was, else the row described anew.
 */
export function declaredBy(
  table: CriteriaTable,
  existing: Record<string, string> = {},
  previous?: CriteriaTable,
): Record<string, string> {
  const declared: Record<string, string> = {};
  for (const r of table.rows) {
    if (!r.criterion) continue;
    const kept = previous?.rows.some(
      (p) => p.criterion === r.criterion && p.score === r.score && sameJson(p.at, r.at),
    )
      ? existing[r.criterion]
      : undefined;
    declared[r.criterion] = kept ?? `the value that scores ${r.score}; default: ${describePoint(r.at)}`;
  }
  return declared;
}

function percent(share: number): string {
  return `${Number((share * 100).toFixed(6))}%`;
}

function list(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function field(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value);
  return entries.length === 1 && entries[0]![0] === name ? entries[0]![1] : undefined;
}

/** What an indicator's input reads of a row: its value, the indicator's own criterion first. */
function rowValueFor(
  row: CriteriaRow,
  input: {
    periodBaseline: number;
    periodTarget: number;
    direction: string;
    criteria?: Record<string, number>;
  },
): number {
  const own = row.criterion ? input.criteria?.[row.criterion] : undefined;
  return typeof own === 'number'
    ? own
    : pointValue(row.at, input.periodBaseline, input.periodTarget, input.direction === 'lower');
}

/**
 * Which rows of the table gave an actual its score, in words: "between row 1 (the baseline, 78)
 * and row 2 (the target, 85)", "row 3 (… 90) reached", "short of row 1 (…)".
 */
export function rowsUsed(
  table: CriteriaTable,
  input: {
    actual: number | null;
    periodBaseline: number;
    periodTarget: number;
    direction: string;
    criteria?: Record<string, number>;
  },
): string {
  const { actual } = input;
  if (actual === null) return 'not reported';
  if (table.rows.length === 0) return 'no rows';
  const lower = input.direction === 'lower';
  const named = table.rows.map((row, i) => {
    const at = rowValueFor(row, input);
    return { at, words: `row ${i + 1} (${describePoint(row.at)}, ${Number(at.toFixed(6))})` };
  });
  const reached = (at: number) => (lower ? actual <= at : actual >= at);
  let best = -1;
  named.forEach((row, i) => {
    if (reached(row.at)) best = i;
  });
  if (best < 0) return `short of ${named[0]!.words}`;
  if (table.method === 'step' || best === named.length - 1) return `${named[best]!.words} reached`;
  return `between ${named[best]!.words} and ${named[best + 1]!.words}`;
}
