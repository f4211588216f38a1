// What a portfolio review says of a quarter or a year: the league tables per category, the grade
// distribution, who moved, who reported late, who stays in the lowest grades, which corrective
// actions are open. Pure: the activity (activities/portfolio.ts) reads the inputs from the read
// model and renders this into the portfolio document and its emails.
import { leagueTables, type LeagueTable, type QuarterRow } from './league.js';

/** How a rule set's composite reads: which way is better, and its grades best first. */
export interface Scale {
  better: 'higher' | 'lower';
  grades: string[];
}

export interface LowGradeRepeat {
  contract: string;
  title: string;
  unit: string;
  category: string | null;
  grade: string;
  previousGrade: string;
}

export interface PortfolioSummary<Late = unknown, Corrective = unknown> {
  year: number;
  /** 'Q1'..'Qn', or 'year' for the annual league table. */
  period: string;
  asOf: string;
  /** Every due contract was reviewed (evaluated); false: published at the cut-off without them. */
  complete: boolean;
  progress: { due: number; done: number };
  tables: LeagueTable[];
  /** Grades across the portfolio, per category, in each scale's order (best first). */
  distribution: { category: string | null; ruleSet: string; grade: string; count: number; place: number }[];
  /** Per table: contracts that rose, fell, stayed, or were not ranked the time before. */
  movement: {
    category: string | null;
    ruleSet: string;
    up: number;
    down: number;
    same: number;
    new: number;
  }[];
  /** In one of the two lowest grades of their scale now and the time before. */
  lowGradeRepeats: LowGradeRepeat[];
  late: Late[];
  corrective: Corrective[];
}

export interface SummaryInput<Late, Corrective> {
  year: number;
  period: string;
  asOf: string;
  progress: { due: number; done: number };
  rows: readonly QuarterRow[];
  /** The same contracts the time before (the quarter before, or the year before). */
  before: readonly QuarterRow[];
  scales: ReadonlyMap<string, Scale>;
  late?: Late[];
  corrective?: Corrective[];
}

/** The key `scales` is looked up by. */
export function scaleKey(ruleSetId: string, version: number): string {
  return `${ruleSetId}@${version}`;
}

const DEFAULT_SCALE: Scale = { better: 'higher', grades: [] };

export function portfolioSummary<Late, Corrective>(
  input: SummaryInput<Late, Corrective>,
): PortfolioSummary<Late, Corrective> {
  const scaleOf = (row: { ruleSetId: string; ruleSetVersion: number }) =>
    input.scales.get(scaleKey(row.ruleSetId, row.ruleSetVersion)) ?? DEFAULT_SCALE;
  const tables = leagueTables(
    input.rows,
    input.before,
    (id, version) => scaleOf({ ruleSetId: id, ruleSetVersion: version }).better,
  );

  const distribution: PortfolioSummary['distribution'] = [];
  const movement: PortfolioSummary['movement'] = [];
  const versionOf = new Map(input.rows.map((r) => [r.id, r.ruleSetVersion]));
  for (const table of tables) {
    const version = table.entries[0] ? (versionOf.get(table.entries[0].contract) ?? 1) : 1;
    const grades = scaleOf({ ruleSetId: table.ruleSet, ruleSetVersion: version }).grades;
    const named = [...grades, ...Object.keys(table.grades).filter((g) => !grades.includes(g))];
    named.forEach((grade, place) =>
      distribution.push({
        category: table.category,
        ruleSet: table.ruleSet,
        grade,
        count: table.grades[grade] ?? 0,
        place,
      }),
    );
    const moved = { category: table.category, ruleSet: table.ruleSet, up: 0, down: 0, same: 0, new: 0 };
    for (const entry of table.entries) {
      if (entry.movement === null) moved.new += 1;
      else if (entry.movement > 0) moved.up += 1;
      else if (entry.movement < 0) moved.down += 1;
      else moved.same += 1;
    }
    movement.push(moved);
  }

  const earlier = new Map(input.before.map((r) => [r.id, r]));
  const lowGradeRepeats: LowGradeRepeat[] = [];
  for (const row of input.rows) {
    const then = earlier.get(row.id);
    if (!row.grade || !then?.grade) continue;
    const lowest = scaleOf(row).grades.slice(-2);
    if (lowest.length < 2 || !lowest.includes(row.grade) || !lowest.includes(then.grade)) continue;
    lowGradeRepeats.push({
      contract: row.id,
      title: row.title,
      unit: row.unit,
      category: row.category,
      grade: row.grade,
      previousGrade: then.grade,
    });
  }

  return {
    year: input.year,
    period: input.period,
    asOf: input.asOf,
    complete: input.progress.done >= input.progress.due,
    progress: input.progress,
    tables,
    distribution,
    movement,
    lowGradeRepeats,
    late: input.late ?? [],
    corrective: input.corrective ?? [],
  };
}
