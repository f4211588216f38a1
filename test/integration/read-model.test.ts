// The read model: lists, pages and the audit read PostgreSQL, paged; projections are ordered by
// version; `covenant projections rebuild` recreates a contract's rows from its workflow.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import { projectRoot } from '../../cli/temporal-binaries.js';
import { ReadModel } from '../../store/read-model.js';
import { exampleContract, expectProjected, settledState, uniqueId } from '../support/contracts.js';
import { api, startTestStack } from '../support/stack.js';

const run = promisify(execFile);
let stack: Stack;
let readModel: ReadModel;

beforeAll(async () => {
  stack = await startTestStack();
  readModel = new ReadModel(stack.database);
});

afterAll(async () => {
  await stack?.stop();
});

describe('the read model', () => {
  it('lists contracts a page at a time, each once, in order', async () => {
    const prefix = uniqueId('PC-PAGE');
    const ids = Array.from({ length: 7 }, (_, i) => `${prefix}-${i}`);
    for (const id of ids)
      expect((await api(stack, 'POST', '/api/v1/contracts', exampleContract({ id }))).status).toBe(201);
    // Acknowledged means listed: no wait needed before reading.
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api<{ contracts: { id: string }[]; next?: string }>(
        stack,
        'GET',
        `/api/v1/contracts?stage=negotiation&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.contracts.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.contracts.map((c) => c.id));
      cursor = page.body.next;
    } while (cursor);
    expect(seen.filter((id) => id.startsWith(prefix))).toEqual(ids);
    expect(new Set(seen).size).toBe(seen.length);
    const refused = await api<{ errors: { pointer: string }[] }>(stack, 'GET', '/api/v1/contracts?limit=501');
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]!.pointer).toBe('/limit');
  });

  it('pages the audit, keeps every line, and writes only newer versions', async () => {
    const contract = exampleContract({ id: uniqueId('PC-AUDIT') });
    expect((await api(stack, 'POST', '/api/v1/contracts', contract)).status).toBe(201);
    const state = await settledState(stack, contract.id);
    await expectProjected(stack, contract.id);
    const first = await api<{ events: { seq: number; event: string }[]; next?: string }>(
      stack,
      'GET',
      `/api/v1/contracts/${contract.id}/audit?limit=1`,
    );
    expect(first.body.events.map((e) => e.event)).toEqual([state.log[0]!.event]);
    const rest = await api<{ events: { seq: number }[] }>(
      stack,
      'GET',
      `/api/v1/contracts/${contract.id}/audit?cursor=${first.body.next}`,
    );
    expect([...first.body.events, ...rest.body.events].map((e) => e.seq)).toEqual(
      state.log.map((l) => l.seq),
    );
    // A projection of an older version (a retried or replayed write) changes nothing.
    const projected = (await readModel.state(contract.id))!;
    expect(await readModel.project({ ...projected, title: 'stale', version: projected.version - 1 })).toBe(
      false,
    );
    expect((await readModel.state(contract.id))!.title).toBe(contract.title);
  });

  it('is rebuilt from Temporal by `covenant projections rebuild`', async () => {
    const contract = exampleContract({ id: uniqueId('PC-REBUILD') });
    expect((await api(stack, 'POST', '/api/v1/contracts', contract)).status).toBe(201);
    await settledState(stack, contract.id);
    const before = await expectProjected(stack, contract.id);
    await stack.database.query('delete from contracts where id = $1', [contract.id]);
    expect(await readModel.state(contract.id)).toBeUndefined();
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'cli/covenant.ts', 'projections', 'rebuild'],
      {
        cwd: projectRoot,
        env: {
          ...process.env,
          COVENANT_DATA_DIR: stack.config.dataDir,
          DATABASE_URL: stack.config.databaseUrl,
          TEMPORAL_ADDRESS: inject('temporalAddress'),
          TEMPORAL_TASK_QUEUE: stack.config.taskQueue,
        },
      },
    );
    expect(stdout).toMatch(/^Rebuilt \d+ contracts in [\d.]+ s\.$/m);
    expect((await expectProjected(stack, contract.id)).version).toBe(before.version);
  });
});
