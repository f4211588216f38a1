// Every route the server registers has its row in the permission table, so no route can be added
// without deciding who may call it (the gate refuses a request that matches no row anyway).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import type { Express } from 'express';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../cli/temporal-binaries.js';
import { createApp } from '../../server/app.js';
import { RuleRunner } from '../../server/rule-runner/index.js';
import { ApiTokenAuthenticator } from '../../server/auth/api-tokens.js';
import { matchPermission, PERMISSIONS } from '../../server/auth/permissions.js';
import pg from 'pg';
import { PgBlobStore } from '../../store/blobs.js';
import { Database } from '../../store/database.js';
import { CaughtMailStore, PgSentMailRecord } from '../../store/mail.js';
import { UserStore } from '../../store/users.js';
import { Mailer } from '../../activities/mailer.js';
import { PgTokenStore } from '../../store/tokens.js';
import { PortfolioStore } from '../../store/portfolio.js';
import { ReadModel } from '../../store/read-model.js';
import { Templates } from '../../templates/index.js';

describe('the permission table', () => {
  it('has a row for every route the server registers, with and without the built-in outbox', () => {
    const dir = mkdtempSync(join(tmpdir(), 'covenant-routes-'));
    for (const outbox of [new CaughtMailStore(lazyDatabase), undefined]) {
      const routes = registeredRoutes(app(dir, outbox));
      expect(routes.length).toBeGreaterThan(10);
      const missing = routes.filter(
        ({ method, path }) => !PERMISSIONS.some((p) => p.method === method && p.path === path),
      );
      expect(missing).toEqual([]);
    }
  });

  it('matches paths as Express does, and tells a wrong method from an unknown path', () => {
    expect(matchPermission('GET', '/api/v1/contracts/PC%2F1/')).toMatchObject({
      kind: 'found',
      params: { id: 'PC/1' },
    });
    expect(matchPermission('HEAD', '/API/V1/CONTRACTS')).toMatchObject({ kind: 'found' });
    expect(matchPermission('DELETE', '/api/v1/contracts/PC-1')).toEqual({
      kind: 'wrong-method',
      allow: ['GET', 'HEAD'],
    });
    expect(matchPermission('GET', '/api/v1/contracts/PC-1/secrets')).toEqual({ kind: 'none' });
    expect(matchPermission('GET', '/documents/PC-1/y1-Q1-review.html')).toMatchObject({
      params: { path: ['PC-1', 'y1-Q1-review.html'] },
    });
  });

  it('names roles for every row but the public ones, and a contract for every scoped row', () => {
    for (const row of PERMISSIONS) {
      if (row.roles === 'public') {
        expect(row.path).toMatch(/^\/(healthz$|assets\/\*path$|approvals\/|sign-in(\/:token|\/oidc(\/callback)?)?$|sign-out$)/);
        continue;
      }
      expect(row.roles.length, row.path).toBeGreaterThan(0);
      if (row.scope === 'contract') expect(row.path, row.path).toContain(':id');
      if (row.scope === 'document') expect(row.path).toContain('*path');
    }
  });
});

/** A pool that connects on first query: building the app sends nothing to PostgreSQL. */
const lazyDatabase = new Database(new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none' }));

function app(dir: string, outbox: CaughtMailStore | undefined): Express {
  return createApp({
    // A lazy client: building the app sends nothing to Temporal.
    client: new Client(),
    namespace: 'default',
    taskQueue: 'routes',
    publicUrl: 'http://localhost:3000',
    linkSecret: 'a-test-secret-of-at-least-thirty-two-characters',
    templates: new Templates(join(projectRoot, 'templates')),
    documents: new PgBlobStore(lazyDatabase),
    ...(outbox ? { outbox } : {}),
    authenticator: new ApiTokenAuthenticator(new PgTokenStore(lazyDatabase)),
    // Threads start on first use: building the app starts none.
    ruleRunner: new RuleRunner(),
    readModel: new ReadModel(lazyDatabase),
    portfolio: new PortfolioStore(lazyDatabase),
    users: new UserStore(lazyDatabase),
    // A transport connects on first send: building the app sends nothing.
    mailer: new Mailer(
      'smtp://127.0.0.1:1',
      'Covenant <covenant@localhost>',
      new PgSentMailRecord(lazyDatabase),
    ),
    portfolioReview: { cutoffDays: 45, annualCutoffDays: 60, pollMinutes: 360 },
    rateLimits: { approvalsPerMinute: 60, apiPerMinute: 600 },
  });
}

// Express 5 (router 2) keeps its layers public but untyped: a route has `route.path` and
// `route.methods`, a mounted router `handle.stack`, and every layer the `rawPath` it was mounted at.
interface Layer {
  name: string;
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

function registeredRoutes(express: Express): { method: string; path: string }[] {
  const root = express.router as unknown as { stack: Layer[] };
  return walk(root.stack, '');
}

function walk(layers: Layer[], prefix: string): { method: string; path: string }[] {
  return layers.flatMap((layer) => {
    const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
    if (layer.route) {
      const path = joinRoute(prefix, layer.route.path);
      return Object.keys(layer.route.methods).map((method) => ({
        method: method.toUpperCase(),
        path: path.length > 1 ? path.replace(/\/$/, '') : path,
      }));
    }
    if (layer.handle.stack) return walk(layer.handle.stack, prefix + mount);
    if (layer.name === 'serveStatic') return [{ method: 'GET', path: `${prefix}${mount}/*path` }];
    return [];
  });
}

function joinRoute(prefix: string, path: string): string {
  return `${prefix}${path}`.replace(/\/+/g, '/');
}
