// Determinism guard: histories recorded from real runs (test/histories/) replay against today's
// workflow code. A change that would break running contracts fails here; use patching for it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { historiesDir } from '../support/histories.js';
import { installQuietRuntime } from '../support/stack.js';

const files = readdirSync(historiesDir).filter((f) => f.endsWith('.json'));

describe('recorded workflow histories', () => {
  it('include every scenario', () => {
    expect(files.map((f) => f.replace(/\.json$/, '')).sort()).toEqual([
      'action-plan-corrective',
      'backdated-year-projected',
      'contract-year-1',
      'contract-year-2-terminated',
      'contract-year-local-writes',
      'contract-year-read-model',
      'moderation-versions',
      'negotiation-rounds',
      'not-scored-review',
      'performance-year',
      'phased-year',
      'portfolio-review-year',
      'ruleset-continue-as-new',
      'ruleset-four-eyes',
      'ruleset-validated-draft',
      'signed-pdf-year',
    ]);
  });

  it.each(files)("%s replays against today's workflow code", async (file) => {
    installQuietRuntime();
    const { workflowId, history } = JSON.parse(readFileSync(join(historiesDir, file), 'utf8')) as {
      workflowId: string;
      history: unknown;
    };
    // Decoded with @temporalio/proto's own types: the SDK's JSON path trips on two copies of protobufjs.
    const decoded = proto.temporal.api.history.v1.History.fromObject(history as Record<string, unknown>);
    expect(decoded.events.length).toBeGreaterThan(10);
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: inject('workflowBundlePath') } },
      decoded,
      workflowId,
    );
  });
});
