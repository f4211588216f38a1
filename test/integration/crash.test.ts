// A crash under load: Covenant, its Temporal and its PostgreSQL are killed (SIGKILL, as a power cut would) while
// reports and decisions arrive. After a restart every acknowledged report and decision is there,
// every reported period has exactly one review, and at most one email per crash arrived twice.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContractInput } from '../../model/contract.js';
import type { ContractState } from '../../model/state.js';
import { backdatedPeriod, exampleContract, uniqueId } from '../support/contracts.js';
import {
  adminTokenFor,
  cleanUpCovenants,
  caughtMail,
  covenantSettings,
  duplicates,
  http,
  pollHealth,
  spawnCovenant,
  postgresPid,
  temporalPid,
  type CovenantProcess,
  type CovenantSettings,
} from '../support/covenant-process.js';
import { approvalLink, decide, waitFor } from '../support/stack.js';

const dataDir = mkdtempSync(join(tmpdir(), 'covenant-crash-'));
const running: CovenantProcess[] = [];
let settings: CovenantSettings;
let token: string;

afterAll(() => {
  cleanUpCovenants();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<CovenantProcess> {
  const started = spawnCovenant(settings);
  running.push(started);
  expect((await pollHealth(settings.url, started.spawnedAt, 30_000)).readyAfterMs).toBeGreaterThan(0);
  return started;
}

const state = async (id: string) =>
  (await http<ContractState>(settings, token, 'GET', `/api/v1/contracts/${id}`)).body;

const mailTo = (subject: string, to?: string) =>
  waitFor(
    async () => (await caughtMail(settings)).find((m) => m.subject === subject && (!to || m.to.includes(to))),
    `email "${subject}"`,
  );

async function sign(contract: ContractInput): Promise<void> {
  expect((await http(settings, token, 'POST', '/api/v1/contracts', contract)).status).toBe(201);
  await decide(approvalLink(await mailTo(`${contract.id}: please agree to revision 1`)), 'approve');
  for (const who of [contract.principal.signatory.email, contract.unit.signatory.email])
    await decide(approvalLink(await mailTo(`${contract.id}: please sign revision 1`, who)), 'approve');
  await waitFor(async () => ((await state(contract.id)).stage === 'active' ? true : undefined), 'active');
}

describe('a crash under load', () => {
  it('loses nothing acknowledged, reviews each period once, and repeats at most one email', async () => {
    settings = await covenantSettings(dataDir);
    token = await adminTokenFor(settings);
    let covenant = await start();

    // Back-dated contracts: their four quarters are over, so each can be reported at once.
    const period = backdatedPeriod(13);
    const active = Array.from({ length: 3 }, (_, i) =>
      exampleContract({ id: uniqueId(`PC-CRASH${i}`), period }),
    );
    for (const contract of active) await sign(contract);
    const negotiating = Array.from({ length: 3 }, (_, i) =>
      exampleContract({ id: uniqueId(`PC-CRASHN${i}`) }),
    );
    for (const contract of negotiating)
      expect((await http(settings, token, 'POST', '/api/v1/contracts', contract)).status).toBe(201);
    const agreements = await Promise.all(
      negotiating.map((c) => mailTo(`${c.id}: please agree to revision 1`)),
    );

    // The load: every quarter of every active contract reported in turn, and the agreements decided.
    const acknowledged = { reports: [] as [string, string][], decisions: [] as string[] };
    let crashed = false;
    const reports = active.map(async (contract) => {
      for (const q of ['Q1', 'Q2', 'Q3', 'Q4']) {
        if (crashed) return;
        const actuals = Object.fromEntries(contract.indicators.map((i) => [i.id, i.target]));
        try {
          const answer = await http(settings, token, 'POST', `/api/v1/contracts/${contract.id}/reports`, {
            period: q,
            actuals,
          });
          if (answer.status === 200) acknowledged.reports.push([contract.id, q]);
        } catch {
          return; // the connection died with the process: not acknowledged
        }
      }
    });
    const decisions = negotiating.map(async (contract, i) => {
      await new Promise((r) => setTimeout(r, 150 * i));
      try {
        if ((await decide(approvalLink(agreements[i]!), 'approve')).status === 200)
          acknowledged.decisions.push(contract.id);
      } catch {
        // not acknowledged
      }
    });
    await waitFor(() => (acknowledged.reports.length >= 5 ? true : undefined), 'some reports acknowledged');
    const temporal = temporalPid(settings)!;
    const postgres = postgresPid(settings)!;
    crashed = true;
    // As a power cut would: Covenant, its Temporal and its PostgreSQL at once.
    process.kill(-covenant.child.pid!, 'SIGKILL');
    process.kill(temporal, 'SIGKILL');
    process.kill(postgres, 'SIGKILL');
    await covenant.exited;
    await Promise.all([...reports, ...decisions]);
    console.log(
      `crash after ${acknowledged.reports.length} reports and ${acknowledged.decisions.length} decisions acknowledged`,
    );

    covenant = await start();
    for (const [id, q] of acknowledged.reports) {
      await waitFor(async () => {
        const p = (await state(id)).periods.find((x) => x.id === q)!;
        return p.report && p.review ? true : undefined;
      }, `${id} ${q} reported and reviewed`);
    }
    for (const id of acknowledged.decisions) {
      await waitFor(
        async () => ((await state(id)).decisions.some((d) => d.kind === 'agree') ? true : undefined),
        `${id}'s agreement`,
      );
    }
    for (const contract of active) {
      for (const p of (await state(contract.id)).periods) {
        // One review per reported period: none was scored twice, none of the unreported ones at all.
        expect([contract.id, p.id, p.superseded.length, Boolean(p.review)]).toEqual([
          contract.id,
          p.id,
          0,
          Boolean(p.report),
        ]);
      }
    }
    // Mail settles: every review's email has gone out.
    await new Promise((r) => setTimeout(r, 3_000));
    const twice = duplicates(await caughtMail(settings));
    console.log(
      `after the restart: ${(await caughtMail(settings)).length} messages, ${twice.length} Message-IDs twice`,
    );
    expect(twice.length).toBeLessThanOrEqual(1);
    process.kill(-covenant.child.pid!, 'SIGINT');
    expect((await covenant.exited).code).toBe(0);
  });
});
