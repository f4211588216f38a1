// `npm start` as a person or a monitor meets it: every request made while Covenant starts is
// answered (503 with Retry-After, then 200), after a first start, after a SIGKILL and a restart on
// the same data folder, and while an external Temporal is not up yet.
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../cli/temporal-dev-server.js';
import { temporalCliPath } from '../../cli/temporal-binaries.js';
import { exampleContract, uniqueId } from '../support/contracts.js';
import {
  caughtMail,
  cleanUpCovenants,
  covenantSettings,
  http,
  isAlive,
  pollHealth,
  pressCtrlC,
  spawnCovenant,
  temporalPid,
  type CovenantProcess,
} from '../support/covenant-process.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/stack.js';

const dirs: string[] = [];
const running: CovenantProcess[] = [];
let external: DevServer | undefined;

afterAll(async () => {
  cleanUpCovenants();
  await external?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'covenant-startup-'));
  // As a home folder is: others may pass through (the embedded PostgreSQL runs as another user).
  chmodSync(dir, 0o711);
  dirs.push(dir);
  return dir;
}

function start(settings: Awaited<ReturnType<typeof covenantSettings>>): CovenantProcess {
  const started = spawnCovenant(settings);
  running.push(started);
  return started;
}

describe('npm start', () => {
  it('answers every request while it starts: 503 with Retry-After, then 200 within 15 s, also after a SIGKILL', async () => {
    // A data folder Covenant creates itself: it and what it holds are readable by this user only.
    const settings = await covenantSettings(join(dataDir(), 'fresh'));
    const first = start(settings);
    const cold = await pollHealth(settings.url, first.spawnedAt, 15_000);
    expect(cold.readyAfterMs, first.output()).toBeGreaterThan(0);
    expect(cold.statuses.filter((s) => s !== 'refused')).toEqual([503, 200]);
    expect(cold.retryAfter).toMatch(/^\d+$/);
    // No request was left hanging: each got its answer at once.
    expect(cold.slowestMs).toBeLessThan(3_000);
    await waitFor(() => (first.output().includes('Covenant is running') ? true : undefined), 'the banner');
    const token = /cov_[A-Za-z0-9_-]{43}/.exec(first.output())![0];
    // The first admin's sign-in link: its page offers to sign in as them, once.
    const signIn = /http:\/\/localhost:\d+\/sign-in\/[A-Za-z0-9_-]{43}/.exec(first.output())?.[0];
    expect(signIn, first.output()).toBeDefined();
    const page = await fetch(signIn!);
    expect([page.status, (await page.text()).includes('Sign in as Administrator')]).toEqual([200, true]);
    const contract = exampleContract({ id: uniqueId('PC-MODES') });
    expect((await http(settings, token, 'POST', '/api/v1/contracts', contract)).status).toBe(201);
    await waitFor(
      async () => ((await caughtMail(settings)).length > 0 ? true : undefined),
      'the first email caught',
    );
    // As root, the embedded PostgreSQL runs as the postgres user, who must pass through the data folder.
    const folder = process.getuid?.() === 0 ? '711' : '700';
    const expected: Record<string, string> = {
      '': folder,
      temporal: '700',
      postgres: '700',
      'temporal/temporal.db': '600',
      'postgres-password': '600',
      'postgres.log': '600',
    };
    for (const [file, mode] of Object.entries(expected)) {
      expect([file, (statSync(join(settings.dataDir, file)).mode & 0o777).toString(8)]).toEqual([file, mode]);
    }
    // What used to be files (tokens, caught mail, the sent record, documents, the link key) is in the database.
    for (const gone of ['outbox', 'link-secret', 'api-tokens.json', 'documents'])
      expect([gone, existsSync(join(settings.dataDir, gone))]).toEqual([gone, false]);
    const temporal = temporalPid(settings)!;
    console.log(
      `start: healthy after ${cold.readyAfterMs} ms; ${first.output().match(/started in [\d.]+ s/)?.[0]}`,
    );

    // A crash: the process dies at once; its Temporal dev server (a process group of its own) is
    // left behind, and the next start on the same data folder stops it and starts afresh.
    first.child.kill('SIGKILL');
    await first.exited;
    expect(isAlive(temporal)).toBe(true);
    const second = start(settings);
    const warm = await pollHealth(settings.url, second.spawnedAt, 15_000);
    expect(warm.readyAfterMs, second.output()).toBeGreaterThan(0);
    expect(warm.statuses.filter((s) => s !== 'refused')).toEqual([503, 200]);
    expect(warm.slowestMs).toBeLessThan(3_000);
    expect(isAlive(temporal)).toBe(false);
    console.log(`restart after SIGKILL: healthy after ${warm.readyAfterMs} ms`);

    pressCtrlC(second);
    expect((await second.exited).code).toBe(0);
    expect(isAlive(temporalPid(settings) ?? temporal)).toBe(false);
  });

  it('waits for an external Temporal that is not up yet, saying so, and starts once it answers', async () => {
    const port = await freePort();
    const exposed = dataDir();
    chmodSync(exposed, 0o755);
    const settings = await covenantSettings(exposed, { TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
    const waiting = start(settings);
    await waitFor(
      () => (waiting.output().includes(`Temporal at 127.0.0.1:${port} does not answer`) ? true : undefined),
      'the waiting message',
    );
    const meanwhile = await fetch(`${settings.url}/healthz`);
    expect(meanwhile.status).toBe(503);
    expect(meanwhile.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(waiting.child.exitCode).toBeNull();

    external = await startDevServer({
      binary: temporalCliPath()!,
      dataDir: dataDir(),
      port,
      namespace: 'default',
      ephemeral: true,
    });
    const ready = await pollHealth(settings.url, Date.now(), 30_000);
    expect(ready.readyAfterMs, waiting.output()).toBeGreaterThan(0);
    // A folder made beforehand keeps its mode: Covenant says it is exposed.
    expect(waiting.output()).toContain(
      `warning: the data folder ${exposed} can be read by other users of this machine (mode 755)`,
    );
    expect(waiting.output()).not.toMatch(/\n\s+at /);
    pressCtrlC(waiting);
    expect((await waiting.exited).code).toBe(0);
  });
});
