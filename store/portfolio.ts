// The portfolio as the quarterly and annual reviews read it from the read model: which quarter
// ended last, how many of its contracts are reviewed, who reported late, repeat low grades' inputs,
// open corrective actions, the year's evaluations; and the reviews published (portfolio_reviews).
// `year` is the calendar year a contract-year began in, as league tables name it.
import type { QuarterRow } from '../model/league.js';
import type { Database } from './database.js';

/** Stages whose periods are no longer expected to report. */
const NOT_DUE = ['terminated', 'suspended', 'negotiation', 'vetting', 'signing'];

export interface QuarterRef {
  year: number;
  period: string;
}

export interface Progress {
  /** Contracts of the quarter (or year) expected to be reviewed (evaluated). */
  due: number;
  done: number;
}

export interface LateReporter {
  id: string;
  title: string;
  unit: string;
  category: string | null;
  due: string;
  /** null: not reported yet. */
  reportedAt: string | null;
  daysLate: number;
}

export interface OpenCorrectiveAction {
  contract: string;
  title: string;
  unit: string;
  id: string;
  period: string;
  message: string;
  status: 'requested' | 'open';
  /** The day the unit had to add it by (requested) or must finish it by (open). */
  by: string | null;
  overdue: boolean;
}

export interface PortfolioReviewRecord {
  year: number;
  period: string;
  version: number;
  at: string;
  complete: boolean;
  document: string;
  summary: unknown;
}

/** Joins a period to its contract-year's Q1, whose start names the year. */
const OF_QUARTER = `from contract_periods q1
  join contract_periods p on p.contract_id = q1.contract_id and p.year = q1.year and p.period = $2
  join contracts c on c.id = q1.contract_id
 where q1.period = 'Q1' and extract(year from q1.starts) = $1`;

export class PortfolioStore {
  constructor(private readonly database: Database) {}

  /** The quarter whose periods ended last before `asOf` (an ISO instant); undefined when none has. */
  async lastEndedQuarter(asOf: string): Promise<QuarterRef | undefined> {
    const { rows } = await this.database.query<QuarterRef>(
      `select extract(year from q1.starts)::int as year, p.period
         from contract_periods p
         join contract_periods q1 on q1.contract_id = p.contract_id and q1.year = p.year and q1.period = 'Q1'
        where p.ends < ($1::timestamptz at time zone 'UTC')::date
        group by 1, 2, p.ends
        order by p.ends desc, count(*) desc
        limit 1`,
      [asOf],
    );
    return rows[0];
  }

  /** No contract-year of the quarter has a period after it: the year's last quarter. */
  async isLastQuarter({ year, period }: QuarterRef): Promise<boolean> {
    const { rows } = await this.database.query<{ last: boolean }>(
      `select coalesce(bool_and(not exists (
                select from contract_periods later
                 where later.contract_id = p.contract_id and later.year = p.year and later.starts > p.starts)), false) as last
         ${OF_QUARTER}`,
      [year, period],
    );
    return rows[0]!.last;
  }

  /** How many of the quarter's contracts are due a review, and how many have had it. */
  async quarterProgress({ year, period }: QuarterRef): Promise<Progress> {
    const { rows } = await this.database.query<Progress>(
      `select count(*)::int as due, count(p.reviewed_at)::int as done ${OF_QUARTER}
          and (c.stage <> all ($3) or p.reviewed_at is not null)`,
      [year, period, NOT_DUE],
    );
    return rows[0]!;
  }

  /** Contracts that reported the quarter after its due day, or have not reported and are past it. */
  async lateReporters({ year, period }: QuarterRef, asOf: string): Promise<LateReporter[]> {
    const { rows } = await this.database.query<LateReporter>(
      `select c.id, c.title, c.unit_name as unit, c.category, to_char(p.due, 'YYYY-MM-DD') as due,
              p.reported_at as "reportedAt",
              (coalesce((p.reported_at at time zone 'UTC')::date, ($4::timestamptz at time zone 'UTC')::date) - p.due)::int
                as "daysLate"
         ${OF_QUARTER}
          and c.stage <> all ($3)
          and coalesce((p.reported_at at time zone 'UTC')::date, ($4::timestamptz at time zone 'UTC')::date) > p.due
        order by 7 desc, c.id`,
      [year, period, NOT_DUE, asOf],
    );
    return rows.map((r) => ({
      ...r,
      reportedAt: r.reportedAt === null ? null : new Date(r.reportedAt).toISOString(),
    }));
  }

  /** Corrective actions escalations asked for that are not closed, in contracts still running. */
  async openCorrectiveActions(asOf: string): Promise<OpenCorrectiveAction[]> {
    const { rows } = await this.database.query<OpenCorrectiveAction>(
      `select c.id as contract, c.title, c.unit_name as unit, a ->> 'id' as id, a ->> 'period' as period,
              a ->> 'message' as message, a ->> 'status' as status,
              case when a ->> 'status' = 'requested' then a ->> 'addBy' else a ->> 'due' end as by
         from contracts c,
              json_array_elements(case when json_typeof(c.state -> 'correctiveActions') = 'array'
                                       then c.state -> 'correctiveActions' else '[]'::json end) as a
        where c.stage not in ('terminated', 'closed') and a ->> 'status' in ('requested', 'open')
        order by c.id, a ->> 'id'`,
    );
    const today = asOf.slice(0, 10);
    return rows.map((r) => ({ ...r, overdue: r.by !== null && r.by < today }));
  }

  /**
   * Each contract's result for the contract-year that began in `year`: its annual evaluation (the
   * current year's, or a finished year's summary), null score and grade when not evaluated yet.
   */
  async annual(year: number, category?: string): Promise<(QuarterRow & { signedOff: boolean })[]> {
    const { rows } = await this.database.query<
      Omit<QuarterRow, 'score' | 'grade'> & {
        result: { score: number | null; grade: string; signedOff?: unknown; signedOffAt?: string } | null;
      }
    >(
      `select c.id, c.title, c.unit_name as unit, c.category, c.rule_set_id as "ruleSetId",
              c.rule_set_version as "ruleSetVersion",
              case when extract(year from c.period_start) = $1 then c.state -> 'evaluation' else y.summary end as result
         from contracts c
         left join lateral (
           select s as summary
             from json_array_elements(case when json_typeof(c.state -> 'years') = 'array'
                                           then c.state -> 'years' else '[]'::json end) as s
            where extract(year from (s -> 'period' ->> 'start')::date) = $1
            limit 1
         ) y on true
        where ((extract(year from c.period_start) = $1 and c.stage <> all ($3)) or y.summary is not null)
          and ($2::text is null or c.category = $2)
        order by c.id`,
      [year, category ?? null, NOT_DUE],
    );
    return rows.map(({ result, ...row }) => ({
      ...row,
      score: result?.score ?? null,
      grade: result?.grade ?? null,
      signedOff: !!(result?.signedOff ?? result?.signedOffAt),
    }));
  }

  /** The managers of these contracts, each once, with the contracts they manage among them. */
  async managersOf(ids: readonly string[]): Promise<{ email: string; name: string; contracts: string[] }[]> {
    const { rows } = await this.database.query<{ email: string; name: string; contracts: string[] }>(
      `select lower(m ->> 'email') as email, min(m ->> 'name') as name, array_agg(c.id order by c.id) as contracts
         from contracts c, json_array_elements(c.state -> 'managers') as m
        where c.id = any($1)
        group by 1
        order by 1`,
      [ids],
    );
    return rows;
  }

  /**
   * The version a run publishes under: a new one for a new run, the same for the same run (a
   * retried activity).
   */
  async reserve({ year, period }: QuarterRef, runId: string): Promise<number> {
    const { rows } = await this.database.query<{ version: number }>(
      `with found as (select version from portfolio_reviews where run_id = $3),
       added as (
         insert into portfolio_reviews (year, period, version, run_id)
         select $1, $2, coalesce((select max(version) from portfolio_reviews where year = $1 and period = $2), 0) + 1, $3
          where not exists (select from found)
         returning version
       )
       select version from found union all select version from added`,
      [year, period, runId],
    );
    return rows[0]!.version;
  }

  async publish(
    runId: string,
    review: { complete: boolean; document: string; summary: unknown },
  ): Promise<void> {
    await this.database.query(
      'update portfolio_reviews set complete = $2, document = $3, summary = $4, at = now() where run_id = $1',
      [runId, review.complete, review.document, JSON.stringify(review.summary)],
    );
  }

  /** What one run published (a retried email activity reads it again). */
  async reviewOfRun(runId: string): Promise<PortfolioReviewRecord | undefined> {
    const { rows } = await this.database.query<PortfolioReviewRecord>(
      `select year, period, version, at, complete, document, summary from portfolio_reviews
        where run_id = $1 and document is not null`,
      [runId],
    );
    return rows[0];
  }

  /** The latest published version of each reviewed quarter and year, newest first. */
  async reviews(): Promise<Omit<PortfolioReviewRecord, 'summary'>[]> {
    const { rows } = await this.database.query<Omit<PortfolioReviewRecord, 'summary'>>(
      `select distinct on (year, period) year, period, version, at, complete, document
         from portfolio_reviews where document is not null
        order by year desc, period desc, version desc`,
    );
    return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
  }

  /** A quarter's or year's published review: its latest version, or the one asked for. */
  async review({ year, period }: QuarterRef, version?: number): Promise<PortfolioReviewRecord | undefined> {
    const { rows } = await this.database.query<PortfolioReviewRecord>(
      `select year, period, version, at, complete, document, summary from portfolio_reviews
        where year = $1 and period = $2 and document is not null and ($3::int is null or version = $3)
        order by version desc limit 1`,
      [year, period, version ?? null],
    );
    return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }))[0];
  }
}
