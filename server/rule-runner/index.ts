// Rule-set checks and simulations in worker threads: off the HTTP event loop (the server keeps
// answering while a rule runs) and off the workflows (which only record the results), each thread
// under a memory limit and each task under a time limit. A thread that runs out of either is
// ended and replaced; the caller gets a 400 that says which limit the rule set hit.
import { Worker } from 'node:worker_threads';
import { CovenantError } from '../../model/errors.js';
import type { RuleSetDraft } from '../../model/ruleset.js';
import type { RuleSetValidation } from '../../rules/ruleset-validation.js';
import type { SimulationContract, SimulationOptions, SimulationResult } from '../../rules/simulate.js';
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
}

const DEFAULTS: Required<RuleRunnerOptions> = {
  threads: 2,
  memoryMb: 512,
  validateMs: 10_000,
  simulateMs: 120_000,
};

interface Pending {
  resolve(answer: Answer): void;
  reject(err: Error): void;
}

class Thread {
  readonly worker: Worker;
  busy = false;
  private readonly pending = new Map<number, Pending>();
  private next = 0;

  constructor(memoryMb: number, onExit: (thread: Thread) => void) {
    this.worker = new Worker(new URL('./thread.mjs', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: 32 },
      stdout: false,
      stderr: false,
    });
    this.worker.unref();
    this.worker.on('message', ({ id, answer }: { id: number; answer: Answer }) => {
      this.pending.get(id)?.resolve(answer);
      this.pending.delete(id);
    });
    const fail = (err: Error) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      onExit(this);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', () => fail(new Error('the rule thread stopped')));
  }

  run(task: Task, timeoutMs: number): Promise<Answer> {
    const id = this.next++;
    return new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
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

export class RuleRunner {
  private readonly options: Required<RuleRunnerOptions>;
  private readonly threads = new Set<Thread>();
  private readonly queue: (() => void)[] = [];

  constructor(options: RuleRunnerOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** The document's validation, its test cases run. */
  async validate(document: unknown): Promise<RuleSetValidation> {
    return (await this.run({ kind: 'validate', document }, this.options.validateMs, '')) as RuleSetValidation;
  }

  /** The rule set's validation and its simulation over the contracts. */
  async simulate(
    ruleSet: RuleSetDraft,
    contracts: SimulationContract[],
    options: SimulationOptions,
    at: string,
  ): Promise<{ validation: RuleSetValidation; simulation: SimulationResult }> {
    return (await this.run(
      { kind: 'simulate', ruleSet, contracts, options },
      this.options.simulateMs,
      at,
    )) as {
      validation: RuleSetValidation;
      simulation: SimulationResult;
    };
  }

  /** Ends every thread (the server is stopping). */
  async close(): Promise<void> {
    await Promise.all([...this.threads].map((t) => t.worker.terminate()));
    this.threads.clear();
  }

  /** Runs a task; `at` prefixes the pointer of a rule that cannot run (e.g. "/draft"). */
  private async run(task: Task, timeoutMs: number, at: string): Promise<unknown> {
    const thread = await this.acquire();
    let answer: Answer;
    try {
      answer = await thread.run(task, timeoutMs);
    } catch (err) {
      throw this.limitHit(err, timeoutMs, at);
    } finally {
      this.release(thread);
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

  private acquire(): Promise<Thread> {
    for (const thread of this.threads) {
      if (!thread.busy) {
        thread.busy = true;
        return Promise.resolve(thread);
      }
    }
    if (this.threads.size < this.options.threads) {
      const thread = new Thread(this.options.memoryMb, (t) => this.threads.delete(t));
      this.threads.add(thread);
      thread.busy = true;
      return Promise.resolve(thread);
    }
    return new Promise((resolve) => this.queue.push(() => resolve(this.acquire())));
  }

  private release(thread: Thread): void {
    thread.busy = false;
    this.queue.shift()?.();
  }
}
