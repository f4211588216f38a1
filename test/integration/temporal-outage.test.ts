// Temporal down for 20 s under load: reads go on from the read model; changes answer 503 with
// Retry-After within 2 s (never a 500 after 20 s), /healthz says 503, a decision posted from an
// approval page gets a page saying nothing was recorded; what was refused is not applied, and
// everything completes once Temporal is back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import { temporalCliPath } from '../../cli/temporal-binaries.js';
import { startDevServer, type DevServer } from '../../cli/temporal-dev-server.js';
import {
  backdatedPeriod,
  contractState,
  exampleContract,
  signContract,
  uniqueId,
} from '../support/contracts.js';
import { freePort } from '../support/ports.js';
import {
  api,
  approvalLink,
  decide,
  openApprovalPage,
  postApproval,
  startTestStack,
  waitFor,
  waitForEmail,
} from '../support/stack.js';

const dir = mkdtempSync(join(tmpdir(), 'covenant-outage-'));
let temporal: DevServer | undefined;
let stack: Stack;
let port: number;

const startTemporal = async () =>
  (temporal = await startDevServer({
    binary: temporalCliPath()!,
    dataDir: join(dir, 'temporal'),
    port,
    namespace: 'default',
  }));

beforeAll(async () => {
  port = await freePort();
  await startTemporal();
  stack = await startTestStack({
    env: { TEMPORAL_ADDRESS: `127.0.0.1:${port}` },
    dataDir: join(dir, 'data'),
  });
});

afterAll(async () => {
  await stack?.stop();
  await temporal?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** One call, timed. */
async function timed<T>(call: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = Date.now();
  const result = await call();
  return { ms: Date.now() - started, result };
}

describe('Temporal unavailable', () => {
  it('answers 503 with Retry-After at once, records nothing refused, and completes everything after', async () => {
    const contract = exampleContract({
      id: uniqueId('PC-DOWN'),
      period: backdatedPeriod(13),
    });
    await signContract(stack, contract);
    const other = exampleContract({ id: uniqueId('PC-DOWN-NEG') });
    expect((await api(stack, 'POST', '/api/v1/contracts', other)).status).toBe(201);
    const agree = approvalLink(
      await waitForEmail(stack, (m) => m.subject === `${other.id}: please agree to revision 1`, 'agree'),
    );
    const page = await openApprovalPage(agree);
    const actuals = Object.fromEntries(contract.indicators.map((i) => [i.id, i.target]));

    await temporal!.stop();
    const downAt = Date.now();
    // Reads come from the read model: they go on while Temporal is down.
    const reads = {
      read: await timed(() => api(stack, 'GET', `/api/v1/contracts/${contract.id}`)),
      list: await timed(() => api(stack, 'GET', '/api/v1/contracts')),
      audit: await timed(() => api(stack, 'GET', `/api/v1/contracts/${contract.id}/audit`)),
      approvalPage: await timed(() => fetch(agree)),
    };
    for (const [name, { ms, result }] of Object.entries(reads)) {
      expect([name, result.status, ms < 2_000]).toEqual([name, 200, true]);
    }
    // Changes, and the health of the whole, answer 503 at once.
    const calls = {
      health: await timed(() => fetch(`${stack.urls.app}/healthz`)),
      report: await timed(() =>
        api(stack, 'POST', `/api/v1/contracts/${contract.id}/reports`, { period: 'Q1', actuals }),
      ),
      create: await timed(() =>
        api(stack, 'POST', '/api/v1/contracts', exampleContract({ id: uniqueId('PC-DOWN-NEW') })),
      ),
      decision: await timed(() =>
        postApproval(agree, { decision: 'approve', csrf: page.csrf! }, page.cookie),
      ),
    };
    for (const [name, { ms, result }] of Object.entries(calls)) {
      expect([name, result.status]).toEqual([name, 503]);
      expect([name, ms < 2_000]).toEqual([name, true]);
    }
    expect(calls.health.result.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(calls.decision.result.html).toContain('Decision not recorded');
    expect(calls.decision.result.html).toContain('nothing was changed');
    expect(JSON.stringify(calls.report.result.body)).toContain('nothing was changed');
    const slowest = Math.max(...Object.values(calls).map((c) => c.ms));
    console.log(
      `Temporal down: ${Object.keys(reads).length} reads answered 200, ${Object.keys(calls).length} changes 503, the slowest in ${slowest} ms`,
    );

    // Down for 20 s, as a restart of a Temporal cluster might be.
    await new Promise((r) => setTimeout(r, Math.max(0, 20_000 - (Date.now() - downAt))));
    await startTemporal();
    await waitFor(
      async () => ((await fetch(`${stack.urls.app}/healthz`)).status === 200 ? true : undefined),
      'healthy again',
      60_000,
    );

    // Nothing refused was applied.
    const after = await contractState(stack, contract.id);
    expect(after.periods[0]!.report).toBeUndefined();
    expect((await contractState(stack, other.id)).decisions).toEqual([]);

    // And everything completes now.
    expect(
      (await api(stack, 'POST', `/api/v1/contracts/${contract.id}/reports`, { period: 'Q1', actuals }))
        .status,
    ).toBe(200);
    expect((await decide(agree, 'approve')).status).toBe(200);
    await waitFor(
      async () => ((await contractState(stack, contract.id)).periods[0]!.review ? true : undefined),
      'Q1 review',
    );
    await waitForEmail(stack, (m) => m.subject === `${other.id}: please sign revision 1`, 'signing request');
  });
});
