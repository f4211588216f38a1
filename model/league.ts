// League tables: the contracts of one quarter ranked within their category by composite score,
// in the direction of their rule set (the built-in default's inverted 1-5 scale ranks the lowest
// first). Contracts scored on different scales (rule set ids) are never ranked against each other:
// a category holds one table per rule set. Ties share a rank (1, 2, 2, 4); movement is against
// the same table of the quarter before.

/** One contract's quarter (or year), as league tables read it. */
export interface QuarterRow {
  id: string;
  title: string;
  unit: string;
  category: string | null;
  ruleSetId: string;
  ruleSetVersion: number;
  score: number | null;
  grade: string | null;
}

export interface LeagueEntry {
  rank: number;
  contract: string;
  title: string;
  unit: string;
  score: number;
  grade: string;
  /** Places gained since the quarter before (negative: lost); null when not ranked then. */
  movement: number | null;
}

export interface LeagueTable {
  /** null: contracts that name no category. */
  category: string | null;
  ruleSet: string;
  /** Which way the composite is better: from the rule set's scoring.better ('higher' when it says nothing). */
  better: 'higher' | 'lower';
  entries: LeagueEntry[];
  /** Contracts of the quarter not reviewed yet, or whose review could not be scored. */
  unranked: { contract: string; title: string; unit: string; grade: string | null }[];
  /** Ranked contracts per grade. */
  grades: Record<string, number>;
}

/** Which way a rule set's composite is better, by rule set id and version. */
export type Direction = (ruleSetId: string, version: number) => 'higher' | 'lower';

export function leagueTables(
  rows: readonly QuarterRow[],
  before: readonly QuarterRow[],
  better: Direction,
): LeagueTable[] {
  const previous = new Map<string, Map<string, number>>();
  for (const table of rank(before, better)) {
    previous.set(
      keyOf(table.category, table.ruleSet),
      new Map(table.entries.map((e) => [e.contract, e.rank])),
    );
  }
  return rank(rows, better).map((table) => {
    const earlier = previous.get(keyOf(table.category, table.ruleSet));
    for (const entry of table.entries) {
      const was = earlier?.get(entry.contract);
      entry.movement = was === undefined ? null : was - entry.rank;
    }
    return table;
  });
}

function rank(rows: readonly QuarterRow[], better: Direction): LeagueTable[] {
  const tables = new Map<string, LeagueTable>();
  for (const row of rows) {
    const key = keyOf(row.category, row.ruleSetId);
    let table = tables.get(key);
    if (!table) {
      table = {
        category: row.category,
        ruleSet: row.ruleSetId,
        better: better(row.ruleSetId, row.ruleSetVersion),
        entries: [],
        unranked: [],
        grades: {},
      };
      tables.set(key, table);
    }
    if (row.score === null || row.grade === null) {
      table.unranked.push({ contract: row.id, title: row.title, unit: row.unit, grade: row.grade });
      continue;
    }
    table.entries.push({
      rank: 0,
      contract: row.id,
      title: row.title,
      unit: row.unit,
      score: row.score,
      grade: row.grade,
      movement: null,
    });
    table.grades[row.grade] = (table.grades[row.grade] ?? 0) + 1;
  }
  for (const table of tables.values()) {
    const sign = table.better === 'higher' ? -1 : 1;
    table.entries.sort((a, b) => sign * (a.score - b.score) || a.contract.localeCompare(b.contract));
    table.entries.forEach((entry, i) => {
      const previous = table.entries[i - 1];
      entry.rank = previous && previous.score === entry.score ? previous.rank : i + 1;
    });
  }
  return [...tables.values()].sort(
    (a, b) =>
      (a.category ?? '\uffff').localeCompare(b.category ?? '\uffff') || a.ruleSet.localeCompare(b.ruleSet),
  );
}

function keyOf(category: string | null, ruleSet: string): string {
  return JSON.stringify([category, ruleSet]);
}

/** The quarter before `period` of the year: Q(n-1), or the last quarter of the year before. */
export function quarterBefore(
  year: number,
  period: string,
  quartersInYear = 4,
): { year: number; period: string } {
  const n = Number(period.slice(1));
  return n > 1 ? { year, period: `Q${n - 1}` } : { year: year - 1, period: `Q${quartersInYear}` };
}
