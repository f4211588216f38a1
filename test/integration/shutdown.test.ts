// Ctrl-C in the terminal while contracts are busy: SIGINT reaches the whole foreground process
// group, Covenant stops in order (HTTP, worker drained, mail, Temporal last), and after a restart
// nothing is lost and no email was sent twice.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContractState } from '../../model/state.js';
import { exampleContract, uniqueId } from '../support/contracts.js';
import {
  adminTokenFor,
  cleanUpCovenants,
  caughtMail,
  covenantSettings,
  duplicates,
  http,
  isAlive,
  pollHealth,
  pressCtrlC,
  spawnCovenant,
  temporalPid,
  type CovenantProcess,
} from '../support/covenant-process.js';
import { approvalLink, decide, waitFor } from '../support/stack.js';

const dataDir = mkdtempSync(join(tmpdir(), 'covenant-sigint-'));
const running: CovenantProcess[] = [];

afterAll(() => {
  cleanUpCovenants();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Ctrl-C', () => {
  it('stops in order with work in flight; after a restart nothing is lost and nothing was sent twice', async () => {
    const settings = await covenantSettings(dataDir);
    const token = await adminTokenFor(settings);
    const start = async () => {
      const started = spawnCovenant(settings);
      running.push(started);
      expect((await pollHealth(settings.url, started.spawnedAt, 30_000)).readyAfterMs).toBeGreaterThan(0);
      return started;
    };
    let covenant = await start();

    const contracts = Array.from({ length: 6 }, (_, i) => exampleContract({ id: uniqueId(`PC-SIGINT${i}`) }));
    for (const contract of contracts)
      expect((await http(settings, token, 'POST', '/api/v1/contracts', contract)).status).toBe(201);
    const agreements = await waitFor(async () => {
      const mail = await caughtMail(settings);
      const found = contracts.map((c) => mail.find((m) => m.subject.startsWith(`${c.id}: please agree`)));
      return found.every(Boolean) ? found.map((m) => m!) : undefined;
    }, 'every agreement request');

    // Every agreement at once: each starts vetting, a contract document, receipts and two
    // signing requests; Ctrl-C comes as soon as the decisions are acknowledged.
    const decided = await Promise.all(agreements.map((m) => decide(approvalLink(m), 'approve')));
    expect(decided.map((d) => d.status)).toEqual(contracts.map(() => 200));
    const temporal = temporalPid(settings)!;
    const pressed = Date.now();
    pressCtrlC(covenant);
    const exit = await covenant.exited;
    const stopMs = Date.now() - pressed;
    expect(exit.code, covenant.output()).toBe(0);
    expect(covenant.output()).toContain('Covenant: SIGINT, stopping...');
    expect(isAlive(temporal)).toBe(false);
    console.log(`Ctrl-C with ${contracts.length} contracts in flight: stopped in ${stopMs} ms`);

    covenant = await start();
    for (const contract of contracts) {
      await waitFor(async () => {
        const state = (await http<ContractState>(settings, token, 'GET', `/api/v1/contracts/${contract.id}`))
          .body;
        const signing = (await caughtMail(settings)).filter(
          (m) => m.subject === `${contract.id}: please sign revision 1`,
        );
        return state.stage === 'signing' && signing.length >= 2 ? true : undefined;
      }, `${contract.id} in signing with both requests sent`);
    }
    const mail = await caughtMail(settings);
    const twice = duplicates(mail);
    console.log(`after the restart: ${mail.length} messages, ${twice.length} Message-IDs twice`);
    expect(twice).toEqual([]);
    for (const contract of contracts) {
      const state = (await http<ContractState>(settings, token, 'GET', `/api/v1/contracts/${contract.id}`))
        .body;
      expect(state.decisions.map((d) => [d.kind, d.decision])).toEqual([['agree', 'approve']]);
    }
    pressCtrlC(covenant);
    expect((await covenant.exited).code).toBe(0);
  });
});
