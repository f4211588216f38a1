// `npm start`'s embedded default keeps everything on disk: a restart loses no contract, no mail,
// and the links sent before it still work.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import {
  contractState,
  exampleContract,
  expectProjected,
  uniqueId,
  waitForStage,
} from '../support/contracts.js';
import { freePort } from '../support/ports.js';
import { api, approvalLink, decide, messages, startTestStack, waitForEmail } from '../support/stack.js';

const dataDir = mkdtempSync(join(tmpdir(), 'covenant-restart-'));
let stack: Stack | undefined;

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a restart of the stack', () => {
  it('keeps contracts, their decisions, the outbox and the validity of emailed links', async () => {
    const env = {
      PORT: String(await freePort()),
      TEMPORAL_TASK_QUEUE: uniqueId('restart'),
      TEMPORAL_DEV_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
    };
    // The same data folder and the same database: what a restart of npm start finds.
    const database = `covenant_restart_${Date.now()}`;
    const start = () =>
      startTestStack({ dataDir, embeddedTemporal: true, persistedSecret: true, env, database });
    stack = await start();
    const contract = exampleContract({ id: uniqueId('PC-RESTART') });
    expect((await api(stack, 'POST', '/api/v1/contracts', contract)).status).toBe(201);
    const agree = await waitForEmail(
      stack,
      (m) => m.subject.startsWith(`${contract.id}: please agree`),
      'agree',
    );
    await decide(approvalLink(agree), 'approve', 'before the restart');
    await waitForStage(stack, contract.id, 'signing');
    await waitForEmail(
      stack,
      (m) =>
        m.subject === `${contract.id}: please sign revision 1` &&
        m.to.includes(contract.unit.signatory.email),
      'sign',
    );
    // The last email's line in the record reaches the read model just after the email itself.
    await expectProjected(stack, contract.id);
    const before = await contractState(stack, contract.id);
    const mailBefore = (await messages(stack)).length;
    await stack.stop();
    stack = undefined;

    stack = await start();
    expect(await contractState(stack, contract.id)).toEqual(before);
    expect(await messages(stack)).toHaveLength(mailBefore);
    for (const message of (await messages(stack)).filter(
      (m) => m.subject === `${contract.id}: please sign revision 1`,
    )) {
      expect((await decide(approvalLink(message), 'approve')).status).toBe(200);
    }
    const active = await waitForStage(stack, contract.id, 'active');
    expect(active.decisions.map((d) => d.comment ?? null)).toEqual(['before the restart', null, null]);
  });
});
