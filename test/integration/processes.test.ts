// Several processes against one Temporal and one PostgreSQL: two API servers and two workers
// (`covenant api`, `covenant worker`) drive contracts together; either API answers for what the
// other acknowledged, a worker stopping leaves the work to the other, and an approval page opens
// with no worker at all (it reads the read model).
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import type { ContractState } from '../../model/state.js';
import { startMailCatcher, type MailCatcher } from '../../server/mail-catcher.js';
import { CaughtMailStore } from '../../store/mail.js';
import { backdatedPeriod, exampleContract, expectProjected, uniqueId } from '../support/contracts.js';
import { freePort } from '../support/ports.js';
import { adminToken, api, approvalLink, decide, startTestStack, waitFor } from '../support/stack.js';

let apis: Stack[] = [];
let workers: Stack[] = [];
let catcher: MailCatcher | undefined;

beforeAll(async () => {
  const shared = {
    database: `covenant_${randomUUID().replaceAll('-', '')}`,
    env: {
      TEMPORAL_TASK_QUEUE: `processes-${randomUUID()}`,
      COVENANT_LINK_SECRET: randomBytes(32).toString('base64url'),
      SMTP_CATCHER_PORT: String(await freePort()),
    },
  };
  const apiPort = await freePort();
  apis = [
    await startTestStack({ ...shared, role: 'api', env: { ...shared.env, PORT: String(apiPort) } }),
    await startTestStack({ ...shared, role: 'api' }),
  ];
  // Emailed links point at the first API server, as PUBLIC_URL would say behind a load balancer.
  const publicUrl = `http://localhost:${apiPort}`;
  workers = [
    await startTestStack({ ...shared, role: 'worker', env: { ...shared.env, PUBLIC_URL: publicUrl } }),
    await startTestStack({ ...shared, role: 'worker', env: { ...shared.env, PUBLIC_URL: publicUrl } }),
  ];
  // The built-in catcher's mail is in the shared database: any API server shows it.
  catcher = await startMailCatcher(
    new CaughtMailStore(apis[0]!.database),
    Number(shared.env.SMTP_CATCHER_PORT),
  );
});

afterAll(async () => {
  for (const stack of [...workers, ...apis]) await stack.stop();
  await catcher?.close();
});

const mail = (stack: Stack, subject: string) =>
  waitFor(async () => (await stack.outbox!.list()).find((m) => m.subject === subject), subject);

/** The same link, on another API server. */
const via = (stack: Stack, link: string) => stack.urls.app + new URL(link).pathname;

describe('two API servers and two workers', () => {
  it('drive contracts together, and each answers for what the other acknowledged', async () => {
    const [a, b] = apis as [Stack, Stack];
    const contracts = Array.from({ length: 4 }, (_, i) =>
      exampleContract({
        id: uniqueId(`PC-PROC${i}`),
        period: backdatedPeriod(13),
      }),
    );
    for (const [i, contract] of contracts.entries()) {
      const server = i % 2 ? b : a;
      expect((await api(server, 'POST', '/api/v1/contracts', contract)).status).toBe(201);
      // Listed at once by the other server: they share the read model.
      const listed = await api<ContractState>(
        i % 2 ? a : b,
        'GET',
        `/api/v1/contracts/${contract.id}`,
        undefined,
        {
          token: adminToken(server),
        },
      );
      expect(listed.status).toBe(200);
    }
    for (const [i, contract] of contracts.entries()) {
      const agree = await mail(a, `${contract.id}: please agree to revision 1`);
      expect((await decide(via(i % 2 ? a : b, approvalLink(agree)), 'approve')).status).toBe(200);
      for (const who of [contract.principal.signatory.email, contract.unit.signatory.email]) {
        const sign = await waitFor(
          async () =>
            (await b.outbox!.list()).find(
              (m) => m.subject === `${contract.id}: please sign revision 1` && m.to.includes(who),
            ),
          `sign ${who}`,
        );
        expect((await decide(via(i % 2 ? b : a, approvalLink(sign)), 'approve')).status).toBe(200);
      }
    }
    // One worker stops; the other carries on with every contract.
    await workers[0]!.stop();
    workers = workers.slice(1);
    for (const [i, contract] of contracts.entries()) {
      await waitFor(async () => {
        const s = await api<ContractState>(a, 'GET', `/api/v1/contracts/${contract.id}`);
        return s.body.stage === 'active' ? true : undefined;
      }, `${contract.id} active`);
      const actuals = Object.fromEntries(contract.indicators.map((x) => [x.id, x.target]));
      const reported = await api(i % 2 ? a : b, 'POST', `/api/v1/contracts/${contract.id}/reports`, {
        period: 'Q1',
        actuals,
      });
      expect(reported.status).toBe(200);
      // Answered once projected: the other server shows the report at once.
      const seen = await api<ContractState>(i % 2 ? b : a, 'GET', `/api/v1/contracts/${contract.id}`);
      expect(seen.body.periods[0]!.report?.actuals).toEqual(actuals);
    }
    for (const contract of contracts) {
      await waitFor(async () => {
        const s = await api<ContractState>(b, 'GET', `/api/v1/contracts/${contract.id}`);
        return s.body.periods[0]!.review ? true : undefined;
      }, `${contract.id} Q1 reviewed`);
      await expectProjected(a, contract.id);
    }
  });

  it('opens an approval page with no worker running', async () => {
    const [a] = apis as [Stack];
    const contract = exampleContract({ id: uniqueId('PC-NOWORKER') });
    expect((await api(a, 'POST', '/api/v1/contracts', contract)).status).toBe(201);
    const agree = await mail(a, `${contract.id}: please agree to revision 1`);
    await expectProjected(a, contract.id);
    for (const worker of workers) await worker.stop();
    workers = [];
    const page = await fetch(approvalLink(agree));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('>Agree</button>');
  });
});
