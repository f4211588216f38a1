// API tokens through the operator's own commands: `npm start` prints an admin token on first start,
// `covenant tokens create|list|revoke` manage the others, and a running server honours each change
// at once. The database keeps hashes only.
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import { projectRoot } from '../../cli/temporal-binaries.js';
import { issueFirstAdminToken } from '../../server/auth/api-tokens.js';
import { loadConfig } from '../../cli/config.js';
import { openStore } from '../../cli/database.js';
import { PgTokenStore } from '../../store/tokens.js';
import { freePort } from '../support/ports.js';
import { api, startTestStack, waitFor } from '../support/stack.js';

const run = promisify(execFile);
let stack: Stack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

/** `covenant …` as an operator runs it, against the stack's data folder. */
async function covenant(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'cli/covenant.ts', ...args], {
      cwd: projectRoot,
      env: {
        ...process.env,
        COVENANT_DATA_DIR: stack.config.dataDir,
        DATABASE_URL: stack.config.databaseUrl,
      },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('covenant tokens', () => {
  it('creates a token that works at once, lists it without secrets, and revokes it for good', async () => {
    const created = await covenant(
      'tokens',
      'create',
      '--role',
      'manager',
      '--name',
      'C. Mwangi',
      '--email',
      'pmo@county.example',
    );
    expect(created.code).toBe(0);
    const token = /^(cov_[A-Za-z0-9_-]{43})$/m.exec(created.stdout)?.[1];
    expect(token).toBeDefined();
    expect(created.stdout).toContain('manager  "C. Mwangi"  (pmo@county.example)');
    const asManager = () => api(stack, 'GET', '/api/v1/contracts?stage=closed', undefined, { token: token! });
    expect((await asManager()).status).toBe(200);
    expect((await api(stack, 'POST', '/api/v1/contracts', {}, { token: token! })).status).toBe(403);

    // The database keeps its hash, never the token.
    const { rows } = await stack.database.query<Record<string, unknown>>(
      "select * from api_tokens where name = 'C. Mwangi'",
    );
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows[0]!.hash).toMatch(/^[0-9a-f]{64}$/);

    const listed = await covenant('tokens', 'list', '--json');
    const tokens = JSON.parse(listed.stdout) as Record<string, unknown>[];
    expect(tokens.find((t) => t.name === 'C. Mwangi')).toMatchObject({
      role: 'manager',
      email: 'pmo@county.example',
    });
    expect(listed.stdout).not.toContain('hash');
    expect(listed.stdout).not.toContain(token);

    const duplicate = await covenant('tokens', 'create', '--role', 'viewer', '--name', 'C. Mwangi');
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain("A token named 'C. Mwangi' exists already");

    expect((await covenant('tokens', 'revoke', 'C. Mwangi')).code).toBe(0);
    const refused = await asManager();
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({
      errors: [{ pointer: '', message: 'The API token is unknown or revoked.' }],
    });
    expect((await covenant('tokens', 'revoke', 'C. Mwangi')).code).toBe(2);
  });

  it('explains what a token needs instead of creating a useless one', async () => {
    const cases: [string[], string][] = [
      [['--role', 'manager', '--name', 'no email'], 'email: is required for a manager'],
      [
        ['--role', 'unit', '--name', 'no unit'],
        "unit: a unit token needs the unit's name or its signatory's email",
      ],
      [['--role', 'viewer', '--name', 'v', '--unit', 'Health'], 'unit: applies to unit tokens only'],
      [['--role', 'root', '--name', 'x'], '--role must be one of admin, manager, unit, viewer'],
      [['--role', 'admin', '--name', 'x', '--colour', 'blue'], "Unknown option '--colour'"],
    ];
    for (const [args, says] of cases) {
      const result = await covenant('tokens', 'create', ...args);
      expect([args.join(' '), result.code === 0]).toEqual([args.join(' '), false]);
      expect(result.stderr).toContain(says);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('npm start', () => {
  it('prints an admin token on first start only, and that token works', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'covenant-first-start-'));
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/start.ts'], {
      cwd: projectRoot,
      env: {
        ...process.env,
        COVENANT_DATA_DIR: dataDir,
        PORT: String(port),
        SMTP_CATCHER_PORT: String(await freePort()),
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        POSTGRES_PORT: String(await freePort()),
        TEMPORAL_TASK_QUEUE: `first-start-${port}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const token = await waitFor(
        () => /^ {2}(cov_[A-Za-z0-9_-]{43})$/m.exec(output)?.[1],
        `the first admin token in:\n${output}`,
        90_000,
      );
      expect(output.match(/cov_[A-Za-z0-9_-]{43}/g)!.every((t) => t === token)).toBe(true);
      const response = await fetch(`http://127.0.0.1:${port}/api/v1/contracts?stage=closed`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/api/v1/contracts`)).status).toBe(401);
    } finally {
      child.kill('SIGINT');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    // The next start finds the store not empty (revoked tokens included) and prints none.
    const store = await openStore(
      loadConfig({ COVENANT_DATA_DIR: dataDir, POSTGRES_PORT: String(await freePort()) }),
    );
    try {
      expect(await issueFirstAdminToken(new PgTokenStore(store.database))).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
