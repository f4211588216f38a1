// The read model: each contract's state as its workflow last projected it, with the columns lists
// filter on, its periods and its record line by line. Writes are idempotent and ordered by the state
// version the workflow stamps: a retried or replayed projection of an older version changes nothing.
import type { QuarterRow } from '../model/league.js';
import type { ContractState } from '../model/state.js';
import type { Peers } from '../model/suggestion.js';
import { agreedActuals, figureOf } from '../rules/evaluation.js';
import { encodeFigures } from '../rules/simulation-figures.js';
import { simulationContract } from '../rules/simulate.js';
import type { Database } from './database.js';
import type { Page } from './mail.js';

/** A contract's state as projected, with the version it was projected at. */
export type ProjectedState = ContractState & { version: number };


export interface ContractFilters {
  stage?: string;
  unit?: string;
  late?: 'true' | 'false';
  grade?: string;
  category?: string;
  /** The rule set's id. */
  ruleSet?: string;
  /** The calendar year the current contract-year began in. */
  year?: string;
}

/** Who may see which contracts (server/auth/scope.ts decides; this narrows the query). */
export type ListScope =
  { all: true } | { managerEmail: string } | { unitName?: string; unitSignatory?: string };

export interface ContractListItem {
  id: string;
  title: string;
  stage: string;
  unit: string;
  year: number;
  period: string | null;
  score: number | null;
  grade: string | null;
  /** When the next report becomes late: the end of its due day. */
  nextDue: string | null;
  /** That report's due day, YYYY-MM-DD, as the contract page shows it. */
  due: string | null;
  late: boolean;
  version: number;
  category: string | null;
  ruleSet: { id: string; version: number };
  /** The first day of the current contract-year. */
  start: string;
}

export class ReadModel {
  constructor(private readonly database: Database) {}

  /**
   * Writes a projection unless a newer one is there; returns whether it was written. `force`
   * writes it whatever the version there (a rebuild from Temporal); lines of the record already
   * written stay either way. One statement, so one round trip: the contract's row, its periods
   * (those gone from the year deleted, the others upserted) and the record's new lines, which
   * PostgreSQL takes from the state itself rather than from a second copy of them.
   */
  async project(state: ProjectedState, force = false): Promise<boolean> {
    const { rows } = await this.database.query<{ written: number }>(
      `with written as (
         insert into contracts (id, version, title, stage, year, unit_name, unit_signatory, principal_name, managers,
           rule_set_id, rule_set_version, period_start, period_end, current_period, score, grade, next_due, late,
           created_at, state, figures, simulated_periods, category)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $26)
         on conflict (id) do update set
           version = excluded.version, title = excluded.title, stage = excluded.stage, year = excluded.year,
           unit_name = excluded.unit_name, unit_signatory = excluded.unit_signatory,
           principal_name = excluded.principal_name, managers = excluded.managers,
           rule_set_id = excluded.rule_set_id, rule_set_version = excluded.rule_set_version,
           period_start = excluded.period_start, period_end = excluded.period_end,
           current_period = excluded.current_period, score = excluded.score, grade = excluded.grade,
           next_due = excluded.next_due, late = excluded.late, state = excluded.state,
           figures = excluded.figures, simulated_periods = excluded.simulated_periods,
           category = excluded.category, projected_at = now()
         where contracts.version < excluded.version or $23
         returning id
       ),
       periods as (
         select * from jsonb_to_recordset($24::jsonb) as p (period text, starts date, ends date, due date,
           late boolean, reported_at timestamptz, reviewed_at timestamptz, review_version int,
           score double precision, grade text)
       ),
       gone as (
         delete from contract_periods
          where contract_id = $1 and year = $5 and exists (select from written)
            and period <> all (array(select period from periods))
       ),
       upserted as (
         insert into contract_periods (contract_id, year, period, starts, ends, due, late, reported_at, reviewed_at,
           review_version, score, grade)
         select $1, $5, p.* from periods p where exists (select from written)
         on conflict (contract_id, year, period) do update set
           starts = excluded.starts, ends = excluded.ends, due = excluded.due, late = excluded.late,
           reported_at = excluded.reported_at, reviewed_at = excluded.reviewed_at,
           review_version = excluded.review_version, score = excluded.score, grade = excluded.grade
       ),
       indicator_rows as (
         select * from jsonb_to_recordset($25::jsonb) as v (indicator text, value double precision, year int)
       ),
       values_gone as (
         delete from indicator_values
          where contract_id = $1 and exists (select from written)
            and indicator <> all (array(select indicator from indicator_rows))
       ),
       values_upserted as (
         insert into indicator_values (contract_id, indicator, category, value, year)
         select $1, v.indicator, $26, v.value, v.year from indicator_rows v where exists (select from written)
         on conflict (contract_id, indicator) do update set
           category = excluded.category, value = excluded.value, year = excluded.year
       ),
       logged as (
         insert into contract_log (contract_id, seq, at, year, event, by_whom, detail)
         select $1, (l ->> 'seq')::int, (l ->> 'at')::timestamptz, (l ->> 'year')::int, l ->> 'event',
                l ->> 'by', l ->> 'detail'
           from json_array_elements($20::json -> 'log') as l
          where exists (select from written) and l ->> 'seq' is not null
            and (l ->> 'seq')::int > coalesce((select max(seq) from contract_log where contract_id = $1), 0)
         on conflict do nothing
       )
       select count(*)::int as written from written`,
      [
        ...columns(state),
        force,
        JSON.stringify(periodRows(state)),
        JSON.stringify(latestValues(state)),
        state.category ?? null,
      ],
    );
    return rows[0]!.written > 0;
  }

  /** The same indicators' latest values among other contracts of `category`, as percentiles by indicator id. */
  async peers(
    indicators: readonly string[],
    category: string,
    except: string,
  ): Promise<Record<string, Peers>> {
    const { rows } = await this.database.query<{ indicator: string; count: number; p: (number | null)[] }>(
      `select indicator, count(*)::int as count,
              percentile_cont(array[0.25, 0.5, 0.75]) within group (order by value) as p
         from indicator_values
        where indicator = any($1) and contract_id <> $2 and category = $3
        group by indicator`,
      [indicators, except, category],
    );
    const peers: Record<string, Peers> = {};
    for (const row of rows) {
      const [p25, median, p75] = row.p.map((v) => (v === null ? null : Math.round(v * 1e6) / 1e6));
      peers[row.indicator] = { count: row.count, p25: p25 ?? null, median: median ?? null, p75: p75 ?? null };
    }
    return peers;
  }

  /**
   * Quarter `period` of the contract-years that began in calendar year `year`, for every contract
   * (of `category` when given): its composite and grade, null when not reviewed.
   */
  async quarter(year: number, period: string, category?: string): Promise<QuarterRow[]> {
    const { rows } = await this.database.query<QuarterRow>(
      `select c.id, c.title, c.unit_name as unit, c.category, c.rule_set_id as "ruleSetId",
              c.rule_set_version as "ruleSetVersion", p.score, p.grade
         from contract_periods q1
         join contract_periods p on p.contract_id = q1.contract_id and p.year = q1.year and p.period = $2
         join contracts c on c.id = q1.contract_id
        where q1.period = 'Q1' and extract(year from q1.starts) = $1
          and ($3::text is null or c.category = $3)
        order by c.id`,
      [year, period, category ?? null],
    );
    return rows;
  }

  /** The quarter of the latest review, as `quarter` names it; undefined before any review. */
  async latestQuarter(): Promise<{ year: number; period: string } | undefined> {
    const { rows } = await this.database.query<{ year: number; period: string }>(
      `select extract(year from q1.starts)::int as year, p.period
         from contract_periods p
         join contract_periods q1 on q1.contract_id = p.contract_id and q1.year = p.year and q1.period = 'Q1'
        where p.reviewed_at is not null
        order by p.reviewed_at desc
        limit 1`,
    );
    return rows[0];
  }

  /** The projected state of one contract. */
  async state(id: string): Promise<ProjectedState | undefined> {
    const { rows } = await this.database.query<{ state: ProjectedState }>(
      'select state from contracts where id = $1',
      [id],
    );
    return rows[0]?.state;
  }

  /** The version of a contract's projection (0 when none yet). */
  async version(id: string): Promise<number> {
    const { rows } = await this.database.query<{ version: string }>(
      'select version from contracts where id = $1',
      [id],
    );
    return rows[0] ? Number(rows[0].version) : 0;
  }

  /** Contracts by id, filtered and narrowed to the caller's scope, `limit` at a time after `cursor`. */
  async list(
    filters: ContractFilters,
    scope: ListScope,
    limit: number,
    cursor?: string,
  ): Promise<Page<ContractListItem>> {
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (clause: (n: string) => string, value: unknown) => {
      values.push(value);
      where.push(clause(`$${values.length}`));
    };
    if (filters.stage) add((n) => `stage = ${n}`, filters.stage);
    if (filters.unit) add((n) => `unit_name = ${n}`, filters.unit);
    if (filters.grade) add((n) => `grade = ${n}`, filters.grade);
    if (filters.late) add((n) => `late = ${n}`, filters.late === 'true');
    if (filters.category) add((n) => `category = ${n}`, filters.category);
    if (filters.ruleSet) add((n) => `rule_set_id = ${n}`, filters.ruleSet);
    if (filters.year) add((n) => `extract(year from period_start) = ${n}`, Number(filters.year));
    if ('managerEmail' in scope) add((n) => `${n} = any(managers)`, scope.managerEmail.toLowerCase());
    else if (!('all' in scope)) {
      const either: string[] = [];
      if (scope.unitName !== undefined) {
        values.push(scope.unitName);
        either.push(`unit_name = $${values.length}`);
      }
      if (scope.unitSignatory !== undefined) {
        values.push(scope.unitSignatory.toLowerCase());
        either.push(`unit_signatory = $${values.length}`);
      }
      where.push(either.length > 0 ? `(${either.join(' or ')})` : 'false');
    }
    if (cursor) add((n) => `id > ${n}`, cursor);
    values.push(limit + 1);
    const { rows } = await this.database.query<ListRow>(
      `select id, title, stage, unit_name, year, current_period, score, grade, next_due, late, version,
              category, rule_set_id, rule_set_version, to_char(period_start, 'YYYY-MM-DD') as period_start
         from contracts ${where.length > 0 ? `where ${where.join(' and ')}` : ''}
        order by id limit $${values.length}`,
      values,
    );
    const items = rows.slice(0, limit).map(toItem);
    return { items, ...(rows.length > limit ? { next: items.at(-1)!.id } : {}) };
  }

  /** The parties of a contract, for access checks; undefined when it is not projected yet. */
  async parties(
    id: string,
  ): Promise<{ unit: string; unitSignatory: string; managers: string[] } | undefined> {
    const { rows } = await this.database.query<{
      unit_name: string;
      unit_signatory: string;
      managers: string[];
    }>('select unit_name, unit_signatory, managers from contracts where id = $1', [id]);
    const row = rows[0];
    return row && { unit: row.unit_name, unitSignatory: row.unit_signatory, managers: row.managers };
  }

  /** A contract's record, oldest first, `limit` lines at a time after `cursor`. */
  async log(id: string, limit: number, cursor?: string): Promise<Page<LogLine>> {
    const after = cursor && /^\d+$/.test(cursor) ? Number(cursor) : 0;
    const { rows } = await this.database.query<LogRow>(
      `select seq, at, year, event, by_whom, detail from contract_log
        where contract_id = $1 and seq > $2 order by seq limit $3`,
      [id, after, limit + 1],
    );
    const items = rows.slice(0, limit).map((r) => ({
      seq: r.seq,
      at: r.at.toISOString(),
      year: r.year,
      event: r.event,
      ...(r.by_whom ? { by: r.by_whom } : {}),
      ...(r.detail ? { detail: r.detail } : {}),
    }));
    return { items, ...(rows.length > limit ? { next: String(items.at(-1)!.seq) } : {}) };
  }

  /**
   * The contracts a simulation runs over, [id, version], in id order: the named ones (each once)
   * and the named ones unknown here, or every contract with periods to simulate.
   */
  async simulated(ids?: readonly string[]): Promise<{ found: [string, number][]; missing: string[] }> {
    if (ids) {
      const unique = [...new Set(ids)];
      const { rows } = await this.database.query<{ id: string; version: string }>(
        'select id, version from contracts where id = any($1) order by id',
        [unique],
      );
      const known = new Set(rows.map((r) => r.id));
      return {
        found: rows.map((r) => [r.id, Number(r.version)]),
        missing: unique.filter((id) => !known.has(id)),
      };
    }
    const { rows } = await this.database.query<{ id: string; version: string }>(
      'select id, version from contracts where simulated_periods > 0 order by id',
    );
    return { found: rows.map((r) => [r.id, Number(r.version)]), missing: [] };
  }

  /** The named contracts' simulation figures as stored (rules/simulation-figures.ts decodes them). */
  async figures(ids: readonly string[]): Promise<[string, number, string][]> {
    const { rows } = await this.database.query<{ id: string; version: string; figures: string }>(
      // A join, not `id = any($1)`: a share of a cold simulation names tens of thousands.
      'select c.id, c.version, c.figures from unnest($1::text[]) as named (id) join contracts c using (id)',
      [ids],
    );
    return rows.map((r) => [r.id, Number(r.version), r.figures]);
  }
}

export interface LogLine {
  seq: number;
  at: string;
  year: number;
  event: string;
  by?: string;
  detail?: string;
}

interface ListRow {
  id: string;
  title: string;
  stage: string;
  unit_name: string;
  year: number;
  current_period: string | null;
  score: number | null;
  grade: string | null;
  next_due: Date | null;
  late: boolean;
  version: string;
  category: string | null;
  rule_set_id: string;
  rule_set_version: number;
  period_start: string;
}

interface LogRow {
  seq: number;
  at: Date;
  year: number;
  event: string;
  by_whom: string | null;
  detail: string | null;
}

function toItem(row: ListRow): ContractListItem {
  return {
    id: row.id,
    title: row.title,
    stage: row.stage,
    unit: row.unit_name,
    year: row.year,
    period: row.current_period,
    score: row.score,
    grade: row.grade,
    nextDue: row.next_due ? row.next_due.toISOString() : null,
    due: row.next_due ? new Date(row.next_due.getTime() - 1).toISOString().slice(0, 10) : null,
    late: row.late,
    version: Number(row.version),
    category: row.category,
    ruleSet: { id: row.rule_set_id, version: row.rule_set_version },
    start: row.period_start,
  };
}

/** The list columns, as the workflow's search attributes compute them. */
function columns(state: ProjectedState): unknown[] {
  const figures = simulationContract(state);
  const open = state.periods.filter((p) => !p.review);
  const latest = [...state.periods].reverse().find((p) => p.review);
  const today = new Date().toISOString().slice(0, 10);
  const current = open.find((p) => p.start <= today) ?? latest;
  const nextDue = open[0] ? new Date(Date.parse(open[0].due) + 86_400_000) : null;
  return [
    state.id,
    state.version,
    state.title,
    state.stage,
    state.year,
    state.unit.name,
    state.unit.signatory.email.toLowerCase(),
    state.principal.name,
    state.managers.map((m) => m.email.toLowerCase()),
    state.ruleSet.id,
    state.ruleSet.version,
    state.period.start,
    state.period.end,
    current?.id ?? null,
    state.evaluation?.score ?? latest?.review?.score ?? null,
    state.evaluation?.grade ?? latest?.review?.grade ?? null,
    nextDue,
    state.late,
    state.createdAt,
    JSON.stringify(state),
    encodeFigures(figures),
    figures.periods.length,
  ];
}

/** The periods' rows, as contract_periods holds them (the contract and year added by the query). */
function periodRows(state: ProjectedState): object[] {
  return state.periods.map((p) => ({
    period: p.id,
    starts: p.start,
    ends: p.end,
    due: p.due,
    late: p.late,
    reported_at: p.report?.submittedAt ?? null,
    reviewed_at: p.review?.reviewedAt ?? null,
    review_version: p.review ? (p.review.version ?? p.superseded.length + 1) : null,
    score: p.review?.score ?? null,
    grade: p.review?.grade ?? null,
  }));
}

/**
 * Each indicator's latest year value: this year's evaluation, else the last finished year's, else
 * (not for a cumulative indicator, whose quarters are parts of a year) the latest agreed quarterly
 * figure of this year.
 */
function latestValues(state: ProjectedState): { indicator: string; value: number; year: number }[] {
  const terms = [...state.revisions].reverse().find((r) => r.indicators.length > 0)?.indicators ?? [];
  const lastYear = state.years.at(-1);
  return terms.flatMap((indicator) => {
    const evaluated = state.evaluation?.indicators.find((y) => y.id === indicator.id)?.actual;
    if (evaluated !== undefined && evaluated !== null)
      return [{ indicator: indicator.id, value: evaluated, year: state.year }];
    if (indicator.measurement !== 'cumulative') {
      for (const period of [...state.periods].reverse()) {
        const value = period.report ? figureOf(agreedActuals(period), indicator.id) : null;
        if (value !== null) return [{ indicator: indicator.id, value, year: state.year }];
      }
    }
    const previous = lastYear?.indicators.find((y) => y.id === indicator.id)?.actual;
    return previous !== undefined && previous !== null
      ? [{ indicator: indicator.id, value: previous, year: lastYear!.year }]
      : [];
  });
}
