// One period scored at a time, fast, for the what-if (./simulate.ts): every rule compiled once, and
// the data handed to the rules kept in scratch objects reused from row to row, so scoring an
// indicator allocates nothing. Each rule reads the fields scorePeriod (./scoring.ts) gives it: the
// indicator's terms, the quarter's phased figures, or for a year the terms without quarter fields.
import type { Indicator } from '../model/contract.js';
import type { IndicatorPhase } from '../model/phasing.js';
import type { RuleSetDraft } from '../model/ruleset.js';
import { compile, RuleError, type CompiledRule } from './engine/index.js';
import { truthy } from './ruleset-tests.js';
import type { PreviousReview } from './scoring.js';
import type { Outcome, SimulatedPeriod, SimulationPeriod } from './simulate.js';

/** What escalation rules read under `previous` in a simulation: last year is not stored. */
export interface PreviousContext {
  periods: PreviousReview[];
  last: PreviousReview | null;
  lastYear: null;
}

const NO_IDS: readonly string[] = Object.freeze([]);

/** What an indicator rule reads: the indicator's fields, its actual and the period (as scorePeriod passes them). */
interface IndicatorInput {
  id: string;
  name: string;
  unit: string | undefined;
  direction: string;
  baseline: number;
  target: number;
  weight: number;
  category: string | undefined;
  description: string | undefined;
  aggregation: string | undefined;
  criteria: Record<string, number> | undefined;
  measurement: Indicator['measurement'];
  targets: Indicator['targets'];
  phasing: Indicator['phasing'];
  history: Indicator['history'];
  benchmark: Indicator['benchmark'];
  suggestion: Indicator['suggestion'];
  justification: Indicator['justification'];
  actual: number | null;
  period: string;
  periodTarget: number;
  periodBaseline: number;
  actualToDate: number | null;
  targetToDate: number;
}

/** An indicator's score as the composite and escalation rules read it (model IndicatorScore). */
interface ScoreRow {
  id: string;
  name: string;
  unit: string | undefined;
  direction: string;
  baseline: number;
  target: number;
  weight: number;
  actual: number | null;
  /** Absent (undefined) in the year's rows, as the workflow's evaluation gives them. */
  periodTarget: number | undefined;
  actualToDate: number | null | undefined;
  score: number;
  weightedScore: number;
}

/** Scores one period at a time on reused scratch objects; the rules never keep what they read. */
export class PeriodScorer {
  private readonly indicatorRule: CompiledRule;
  private readonly compositeRule: CompiledRule;
  private readonly gradeRule: CompiledRule;
  private readonly escalations: { id: string; when: CompiledRule }[];
  private readonly inputs: IndicatorInput[] = [];
  private readonly rows: ScoreRow[] = [];
  /** The period's rows: a view of the first n scratch rows. */
  private readonly view: ScoreRow[] = [];
  private readonly compositeData = { indicators: this.view };
  private readonly gradeData = { composite: 0 };
  private readonly facts = {
    composite: 0,
    grade: '',
    indicators: this.view,
    period: '',
    missing: NO_IDS,
    previous: null as PreviousContext | null,
  };
  /** Some escalation reads `previous`: the simulation keeps each contract's earlier periods for it. */
  readonly readsPrevious: boolean;

  /** Scores a year (the annual evaluation) rather than a quarter: rows without quarter fields. */
  private readonly year: boolean;

  constructor(ruleSet: RuleSetDraft, options: { year?: boolean } = {}) {
    this.year = options.year === true;
    this.indicatorRule = compileAt(ruleSet.scoring.indicator, '/scoring/indicator');
    this.compositeRule = compileAt(ruleSet.scoring.composite, '/scoring/composite');
    this.gradeRule = compileAt(ruleSet.scoring.grade, '/scoring/grade');
    this.escalations = ruleSet.escalations.map((e, i) => ({
      id: e.id,
      when: compileAt(e.when, `/escalations/${i}/when`),
    }));
    this.readsPrevious = ruleSet.escalations.some((e) => JSON.stringify(e.when).includes('"previous'));
  }

  score(
    period: SimulationPeriod,
    phases?: readonly IndicatorPhase[],
    previous?: PreviousContext,
  ): SimulatedPeriod {
    const before = period.before ?? null;
    try {
      return { period: period.id, before, after: this.outcome(period, phases, previous), change: 'same' };
    } catch (err) {
      if (!(err instanceof RuleError) && !(err instanceof NoResult)) throw err;
      return { period: period.id, before, after: null, change: 'failed', error: err.message };
    }
  }

  /** The indicators' scores of the period scored last, by id. */
  lastScores(): Record<string, number | null> {
    const scores: Record<string, number | null> = {};
    for (const row of this.view) scores[row.id] = row.score;
    return scores;
  }

  private outcome(
    period: SimulationPeriod,
    phases?: readonly IndicatorPhase[],
    previous?: PreviousContext,
  ): Outcome {
    // Positional values when the period has them; `actuals` may be computed on reading.
    const { indicators, values } = period;
    const actuals = values ? undefined : period.actuals;
    const n = indicators.length;
    this.ensure(n);
    const view = this.view;
    view.length = n;
    let total = 0;
    for (let i = 0; i < n; i++) total += indicators[i]!.weight;
    if (total === 0) total = 1;
    let missing: string[] | undefined;
    for (let i = 0; i < n; i++) {
      const indicator = indicators[i]!;
      const actual = values
        ? (values[i] ?? null)
        : Object.hasOwn(actuals!, indicator.id)
          ? (actuals![indicator.id] ?? null)
          : null;
      const input = this.inputs[i]!;
      input.id = indicator.id;
      input.name = indicator.name;
      input.unit = indicator.unit;
      input.direction = indicator.direction;
      input.baseline = indicator.baseline;
      input.target = indicator.target;
      input.weight = indicator.weight;
      input.category = indicator.category;
      input.description = indicator.description;
      input.aggregation = indicator.aggregation;
      input.criteria = indicator.criteria;
      input.measurement = indicator.measurement;
      input.targets = indicator.targets;
      input.phasing = indicator.phasing;
      input.history = indicator.history;
      input.benchmark = indicator.benchmark;
      input.suggestion = indicator.suggestion;
      input.justification = indicator.justification;
      input.actual = actual;
      input.period = period.id;
      const phase = phases?.[i];
      if (phase) {
        input.periodTarget = phase.periodTarget;
        input.periodBaseline = phase.periodBaseline;
        input.actualToDate = phase.actualToDate;
        input.targetToDate = phase.targetToDate;
        input.criteria = phase.criteria;
      } else {
        input.periodTarget = indicator.target;
        input.periodBaseline = indicator.baseline;
        input.actualToDate = actual;
        input.targetToDate = indicator.target;
      }
      const score = this.indicatorRule(input);
      if (typeof score !== 'number' || !Number.isFinite(score)) {
        throw new NoResult(
          `scoring.indicator gave ${JSON.stringify(score) ?? 'nothing'} for '${indicator.id}', not a number`,
        );
      }
      const row = this.rows[i]!;
      row.id = indicator.id;
      row.name = indicator.name;
      row.unit = indicator.unit;
      row.direction = indicator.direction;
      row.baseline = indicator.baseline;
      row.target = indicator.target;
      row.weight = indicator.weight;
      row.actual = actual;
      row.periodTarget = this.year ? undefined : input.periodTarget;
      row.actualToDate = this.year ? undefined : input.actualToDate;
      row.score = score;
      row.weightedScore = Math.round(((score * indicator.weight) / total + Number.EPSILON) * 100) / 100;
      view[i] = row;
      if (actual === null) (missing ??= []).push(indicator.id);
    }
    const composite = this.compositeRule(this.compositeData);
    if (typeof composite !== 'number' || !Number.isFinite(composite)) {
      throw new NoResult(`scoring.composite gave ${JSON.stringify(composite) ?? 'nothing'}, not a number`);
    }
    this.gradeData.composite = composite;
    const grade = String(this.gradeRule(this.gradeData));
    const facts = this.facts;
    facts.composite = composite;
    facts.grade = grade;
    facts.period = period.id;
    facts.missing = missing ?? NO_IDS;
    facts.previous = previous ?? null;
    let fired: string[] | undefined;
    for (const escalation of this.escalations) {
      if (truthy(escalation.when(facts))) (fired ??= []).push(escalation.id);
    }
    return { score: composite, grade, escalations: fired ?? NO_IDS };
  }

  private ensure(n: number): void {
    while (this.inputs.length < n) {
      this.inputs.push({
        id: '',
        name: '',
        unit: undefined,
        direction: '',
        baseline: 0,
        target: 0,
        weight: 0,
        category: undefined,
        description: undefined,
        aggregation: undefined,
        criteria: undefined,
        measurement: undefined,
        targets: undefined,
        phasing: undefined,
        history: undefined,
        benchmark: undefined,
        suggestion: undefined,
        justification: undefined,
        actual: null,
        period: '',
        periodTarget: 0,
        periodBaseline: 0,
        actualToDate: null,
        targetToDate: 0,
      });
      this.rows.push({
        id: '',
        name: '',
        unit: undefined,
        direction: '',
        baseline: 0,
        target: 0,
        weight: 0,
        actual: null,
        periodTarget: 0,
        actualToDate: null,
        score: 0,
        weightedScore: 0,
      });
    }
  }
}

/** A rule ran but gave what its slot cannot use (null for a score): that period fails, not the run. */
class NoResult extends Error {}

function compileAt(rule: unknown, pointer: string): CompiledRule {
  try {
    return compile(rule);
  } catch (err) {
    if (!(err instanceof RuleError)) throw err;
    throw new RuleError(err.message, pointer + err.pointer, err.code);
  }
}
