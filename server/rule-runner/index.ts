// Rule-set checks and simulations in worker threads: off the HTTP event loop (the server keeps
// answering while a rule runs) and off the workflows (which only record the results), each thread
// under a memory limit and each task under a time limit. A thread that runs out of either is
// ended and replaced; the caller gets a 400 that says which limit the rule set hit.
import { Worker } from 'node:worker_threads';
import { CovenantError } from '../../model/errors.js';
import type { RuleSetDraft } from '../../model/ruleset.js';
import type { Indicator } from '../../model/contract.js';
import type { RuleSetValidation } from '../../rules/ruleset-validation.js';
import type { PeriodContext } from '../../rules/scoring.js';
import type { TriedPeriod } from '../../rules/try-period.js';
import {
  summarize,
  type SimulatedContract,
  type SimulationOptions,
  type SimulationPart,
  type SimulationSummary,
} from '../../rules/simulate.js';
import { builtInRuleSet } from '../../rules/library/index.js';
import type { Answer, Task } from './tasks.js';

export interface RuleRunnerOptions {
  /** Threads at most; tasks beyond wait their turn. */
  threads?: number;
  /** Memory of one thread's heap, in MB. */
  memoryMb?: number;
  /** Time one validation may take. */
  validateMs?: number;
  /** Time one simulation may take. */
  simulateMs?: number;
  /**
   * Figures one thread keeps decoded between simulations, in MB of their stored text (decoded, they
   * take about 1.6 times as much heap): 100 MB is 28,000 contracts of 30 indicators.
   */
  cacheMb?: number;
}

const DEFAULTS: Required<RuleRunnerOptions> = {
  threads: 2,
  memoryMb: 512,
  validateMs: 10_000,
  simulateMs: 120_000,
  cacheMb: 100,
};

/** The portfolio a simulation runs over: its contracts by id order, and a way to read their figures. */
export interface SimulatedPortfolio {
  /** [id, version of its projection], in the order the answer lists them. */
  contracts: readonly (readonly [string, number])[];
  /** Each named contract's [id, version, figures as stored], at that version or a newer one. */
  figures(ids: string[]): Promise<[string, number, string][]>;
  /** The whole portfolio (a thread may forget contracts outside its share), or named contracts. */
  whole: boolean;
}

interface Pending {
  resolve(answer: Answer): void;
  reject(err: Error): void;
}

class Thread {
  readonly worker: Worker;
  busy = false;
  /** Stopped, or being stopped: the slot needs a new thread. */
  ended = false;
  private readonly pending = new Map<number, Pending>();
  private next = 0;

  constructor(memoryMb: number) {
    this.worker = new Worker(new URL('./thread.mjs', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: 128 },
      stdout: false,
      stderr: false,
    });
    this.worker.unref();
    this.worker.on('message', ({ id, answer }: { id: number; answer: Answer }) => {
      this.pending.get(id)?.resolve(answer);
      this.pending.delete(id);
    });
    const fail = (err: Error) => {
      this.ended = true;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', () => fail(new Error('the rule thread stopped')));
  }

  run(task: Task, timeoutMs: number): Promise<Answer> {
    const id = this.next++;
    return new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.ended = true;
        reject(new TimeoutError());
        void this.worker.terminate();
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (answer) => {
          clearTimeout(timer);
          resolve(answer);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      this.worker.postMessage({ id, task });
    });
  }
}

class TimeoutError extends Error {}

/** Contracts below which a simulation stays on one thread (a share's fixed cost is not worth it). */
const MIN_SHARE = 2_000;

/** A warm-up at most this often: figures kept stay kept; a newer projection is read when asked for. */
const WARM_EVERY_MS = 60_000;

export class RuleRunner {
  private readonly options: Required<RuleRunnerOptions>;
  /** Thread i always takes share i of a simulation, so the figures it decoded last time serve again. */
  private readonly slots: (Thread | undefined)[];
  private waiting: (() => void)[] = [];
  private warming = false;
  private warmedAt = 0;

  constructor(options: RuleRunnerOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
    this.slots = Array.from({ length: this.options.threads }, () => undefined);
  }

  /** The document's validation, its test cases run. */
  async validate(document: unknown): Promise<RuleSetValidation> {
    const thread = await this.acquire();
    try {
      return (await this.runOn(
        thread,
        { kind: 'validate', document },
        this.options.validateMs,
        '',
      )) as RuleSetValidation;
    } finally {
      this.release(thread);
    }
  }

  /** The rule set on one period, as the workflow would score it, with what each rule read. */
  async tryPeriod(
    ruleSet: RuleSetDraft,
    period: {
      indicators: Indicator[];
      actuals: Record<string, number | null>;
      id: string;
      context?: PeriodContext;
    },
  ): Promise<TriedPeriod> {
    const thread = await this.acquire();
    try {
      return (await this.runOn(
        thread,
        {
          kind: 'try',
          ruleSet,
          indicators: period.indicators,
          actuals: period.actuals,
          period: period.id,
          ...(period.context ? { context: period.context } : {}),
        },
        this.options.validateMs,
        '',
      )) as TriedPeriod;
    } finally {
      this.release(thread);
    }
  }

  /**
   * The rule set's validation and its simulation over the portfolio, in contiguous shares, one per
   * thread; `page` picks the contracts with periods to show. Each thread keeps the figures it
   * decoded, by contract and version, and reads from the database only those it does not have.
   */
  async simulate(
    ruleSet: RuleSetDraft,
    portfolio: SimulatedPortfolio,
    options: SimulationOptions,
    page: { offset: number; limit: number },
    at: string,
  ): Promise<{
    validation: RuleSetValidation;
    summary: SimulationSummary;
    contracts: SimulatedContract[];
    total: number;
  }> {
    const { contracts } = portfolio;
    const shares = Math.max(1, Math.min(this.options.threads, Math.floor(contracts.length / MIN_SHARE)));
    const size = Math.ceil(contracts.length / shares);
    const keep = page.offset + page.limit;
    const answers = await Promise.all(
      Array.from({ length: shares }, (_, i) =>
        this.simulateShare(i, ruleSet, portfolio, contracts.slice(i * size, (i + 1) * size), {
          keep,
          validate: i === 0,
          options,
          at,
        }),
      ),
    );
    // Each share kept its first `keep` contracts: their concatenation begins like the whole list.
    const shown = answers.flatMap((a) => a.part.contracts);
    return {
      validation: answers[0]!.validation!,
      summary: summarize(answers.map((a) => a.part.counts)),
      contracts: shown.slice(page.offset, keep),
      total: answers.reduce((n, a) => n + a.part.shown, 0),
    };
  }

  /**
   * Reads the portfolio's figures into the threads, as a simulation would, without scoring: the
   * first what-if after a start then finds them kept (warm) instead of reading 80 MB for 50,000
   * contracts. At most one warm-up at a time, and none within a minute of the last.
   */
  async warm(read: () => Promise<SimulatedPortfolio>): Promise<void> {
    const now = Date.now();
    if (this.warming || now - this.warmedAt < WARM_EVERY_MS) return;
    this.warming = true;
    try {
      const portfolio = await read();
      const { contracts } = portfolio;
      const shares = Math.max(1, Math.min(this.options.threads, Math.floor(contracts.length / MIN_SHARE)));
      const size = Math.ceil(contracts.length / shares);
      await Promise.all(
        Array.from({ length: shares }, (_, i) =>
          this.simulateShare(
            i,
            builtInRuleSet('default')!,
            portfolio,
            contracts.slice(i * size, (i + 1) * size),
            {
              keep: 0,
              validate: false,
              options: {},
              at: '',
              loadOnly: true,
            },
          ),
        ),
      );
      this.warmedAt = Date.now();
    } finally {
      this.warming = false;
    }
  }

  /** Ends every thread (the server is stopping). */
  async close(): Promise<void> {
    const threads = this.slots.filter((t) => t !== undefined);
    this.slots.fill(undefined);
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  /**
   * One share on its thread: first without figures (the thread names those it lacks), then, if it
   * lacks any, again with them. A thread replaced in between lacks them all and is sent them all.
   */
  private async simulateShare(
    slot: number,
    ruleSet: RuleSetDraft,
    portfolio: SimulatedPortfolio,
    contracts: readonly (readonly [string, number])[],
    share: { keep: number; validate: boolean; options: SimulationOptions; at: string; loadOnly?: boolean },
  ): Promise<{ validation?: RuleSetValidation; part: SimulationPart }> {
    const thread = await this.acquire(slot);
    try {
      let figures: [string, number, string][] = [];
      for (;;) {
        const answer = (await this.runOn(
          thread,
          {
            kind: 'simulate',
            ruleSet,
            contracts,
            figures,
            whole: portfolio.whole,
            cacheBytes: this.options.cacheMb * 1_000_000,
            keep: share.keep,
            validate: share.validate,
            options: share.options,
            ...(share.loadOnly ? { loadOnly: true } : {}),
          },
          this.options.simulateMs,
          share.at,
        )) as { missing: string[] } | { validation?: RuleSetValidation; part: SimulationPart };
        if (!('missing' in answer)) return answer;
        if (figures.length > 0) throw new Error('The rule thread lost figures it was just sent');
        figures = await portfolio.figures(answer.missing);
      }
    } finally {
      this.release(thread);
    }
  }

  /** Runs a task; `at` prefixes the pointer of a rule that cannot run (e.g. "/draft"). */
  private async runOn(thread: Thread, task: Task, timeoutMs: number, at: string): Promise<unknown> {
    let answer: Answer;
    try {
      answer = await thread.run(task, timeoutMs);
    } catch (err) {
      throw this.limitHit(err, timeoutMs, at);
    }
    if (answer.ok) return answer.result;
    if (answer.ruleError) {
      const { message, pointer } = answer.ruleError;
      throw new CovenantError('invalid', [
        { pointer: at + pointer, message: `This rule cannot run: ${message}` },
      ]);
    }
    throw new Error(`The rule thread failed: ${answer.message}`);
  }

  private limitHit(err: unknown, timeoutMs: number, at: string): CovenantError {
    const memory = (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
    const what =
      err instanceof TimeoutError
        ? `took longer than ${timeoutMs / 1000} s`
        : memory
          ? `needed more than ${this.options.memoryMb} MB of memory`
          : 'stopped the thread that ran it';
    return new CovenantError('invalid', [
      {
        pointer: at,
        message: `Checking this rule set ${what}. A rule does too much work: look for merge, map, cat or reduce over large or growing arrays.`,
      },
    ]);
  }

  /** The thread of a slot (any free one when none is named), started anew if it ended. */
  private acquire(slot?: number): Promise<Thread> {
    const free =
      slot === undefined ? this.slots.findIndex((t) => !t?.busy) : this.slots[slot]?.busy ? -1 : slot;
    if (free < 0) return new Promise((resolve) => this.waiting.push(() => resolve(this.acquire(slot))));
    let thread = this.slots[free];
    if (!thread || thread.ended) {
      if (thread) void thread.worker.terminate();
      thread = this.slots[free] = new Thread(this.options.memoryMb);
    }
    thread.busy = true;
    return Promise.resolve(thread);
  }

  private release(thread: Thread): void {
    thread.busy = false;
    // Every waiter looks again: one may want this slot, another any slot.
    const waiting = this.waiting;
    this.waiting = [];
    for (const resume of waiting) resume();
  }
}
