// A Covenant stack on the Java time-skipping test server: months of calendar pass in seconds.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import { testServerPath } from '../../cli/temporal-binaries.js';
import { installQuietRuntime, startTestStack } from './stack.js';

export interface TimeSkippingStack {
  env: TestWorkflowEnvironment;
  stack: Stack;
  stop(): Promise<void>;
}

export async function startTimeSkippingStack(
  extraEnv: Record<string, string> = {},
): Promise<TimeSkippingStack> {
  const path = testServerPath();
  if (!path)
    throw new Error(
      'No time-skipping test server: run `node scripts/provision-temporal.mjs` (npm install does).',
    );
  installQuietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path } },
  });
  try {
    // The time-skipping server has no Schedules: portfolio reviews are started by hand there.
    const stack = await startTestStack({
      env: { TEMPORAL_ADDRESS: env.address, COVENANT_PORTFOLIO_SCHEDULE: 'off', ...extraEnv },
    });
    return {
      env,
      stack,
      stop: async () => {
        await stack.stop();
        await env.teardown();
      },
    };
  } catch (err) {
    await env.teardown();
    throw err;
  }
}

/** Moves the time-skipping server's clock to `instant` (ms), plus a minute. */
export async function skipTo(env: TestWorkflowEnvironment, instant: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (instant > now) await env.sleep(instant - now + 60_000);
}

/** What a test file on the time-skipping server uses: set before its tests run. */
export interface TimeSkipping {
  env: TestWorkflowEnvironment;
  stack: Stack;
  /** Moves the clock to `instant` (ms), plus a minute. */
  skipTo: (instant: number) => Promise<void>;
}

/** Starts a time-skipping stack before the file's tests and stops it after them. */
export function useTimeSkippingStack(env: Record<string, string> = {}): TimeSkipping {
  let running: TimeSkippingStack | undefined;
  const harness = { skipTo: (instant: number) => skipTo(harness.env, instant) } as TimeSkipping;
  beforeAll(async () => {
    running = await startTimeSkippingStack(env);
    harness.env = running.env;
    harness.stack = running.stack;
  });
  afterAll(async () => {
    await running?.stop();
  });
  return harness;
}
