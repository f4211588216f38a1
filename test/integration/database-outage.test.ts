// PostgreSQL down for a while: contracts go on in Temporal. A report sent straight to the workflow
// is accepted and reviewed while the database is down (its document and the read model's writes
// retry); once PostgreSQL is back, the document is stored, the email leaves and the read model
// shows exactly what the workflow holds. Nothing is lost.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDatabase } from '../../cli/database.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../cli/embedded-postgres.js';
import type { Stack } from '../../cli/stack.js';
import { stateQuery, submitReportUpdate } from '../../workflows/messages.js';
import {
  backdatedPeriod,
  exampleContract,
  expectProjected,
  signContract,
  uniqueId,
} from '../support/contracts.js';
import { freePort } from '../support/ports.js';
import { adminToken, messages, startTestStack, waitFor } from '../support/stack.js';

const dir = mkdtempSync(join(tmpdir(), 'covenant-db-outage-'));
let port: number;
let postgres: EmbeddedPostgres | undefined;
let stack: Stack;

const startPostgres = async () =>
  (postgres = await startEmbeddedPostgres({
    dataDir: join(dir, 'postgres'),
    port,
    passwordFile: join(dir, 'postgres-password'),
    logFile: join(dir, 'postgres.log'),
  }));

beforeAll(async () => {
  port = await freePort();
  await startPostgres();
  stack = await startTestStack({
    env: { DATABASE_URL: await ensureDatabase(postgres!.adminUrl, 'covenant') },
    dataDir: join(dir, 'data'),
  });
});

afterAll(async () => {
  await stack?.stop();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('PostgreSQL unavailable', () => {
  it(
    'delays the read model, documents and mail, never the contract; all of it arrives after',
    { timeout: 180_000 },
    async () => {
      const contract = exampleContract({
        id: uniqueId('PC-DB-DOWN'),
        period: backdatedPeriod(3, 45),
      });
      await signContract(stack, contract);
      const actuals = Object.fromEntries(contract.indicators.map((i) => [i.id, i.target]));
      const handle = stack.client.workflow.getHandle(contract.id);

      await postgres!.stop();
      const downAt = Date.now();
      // The API reads PostgreSQL (its callers' tokens, the read model): it answers 503 meanwhile.
      const list = await fetch(`${stack.urls.app}/api/v1/contracts`, {
        headers: { authorization: `Bearer ${adminToken(stack)}` },
      });
      expect(list.status).toBe(503);
      expect(list.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await list.text()).toContain('cannot reach its database');
      // The report goes to the workflow itself (the API needs the database to check its caller).
      const accepted = await handle.executeUpdate(submitReportUpdate, {
        args: [{ period: 'Q1', actuals, actor: 'Unit (by phone)' }],
      });
      expect(accepted).toEqual({ period: 'Q1', late: false });
      // Within a workflow task's heartbeat (about 8 s): the task waits on the local writes meanwhile.
      const acceptedMs = Date.now() - downAt;
      expect(acceptedMs).toBeLessThan(30_000);
      // The workflow scores the period while the database is down; only the document waits.
      const reviewed = await waitFor(async () => {
        const state = await handle.query(stateQuery);
        return state.periods.find((p) => p.id === 'Q1')?.review ? state : undefined;
      }, 'the Q1 review in the workflow');
      expect(reviewed.periods.find((p) => p.id === 'Q1')!.review!.documentUrl).toBeUndefined();
      const reviewedMs = Date.now() - downAt;

      // Down for 15 s in all, then back.
      await new Promise((r) => setTimeout(r, Math.max(0, 15_000 - (Date.now() - downAt))));
      await startPostgres();
      const upAt = Date.now();
      // The writes retry with backoff (1 s doubling to 1 minute): the next attempt may be a while.
      await waitFor(
        async () => (await messages(stack)).find((m) => m.subject.startsWith(`${contract.id}: Q1 review`)),
        'the Q1 review email',
        90_000,
      );
      const state = await expectProjected(stack, contract.id);
      const q1 = state.periods.find((p) => p.id === 'Q1')!;
      expect(q1.report?.actuals).toEqual(actuals);
      expect(q1.review?.documentUrl).toBeDefined();
      expect(state.log.filter((l) => l.event === 'report-accepted')).toHaveLength(1);
      expect(state.log.filter((l) => l.event === 'reviewed')).toHaveLength(1);
      console.log(
        `PostgreSQL down: a report accepted in ${acceptedMs} ms and reviewed ${reviewedMs} ms after the stop; document, email and read model ${Date.now() - upAt} ms after the restart`,
      );
    },
  );
});
