// Configuration is read once and refused with a message naming the variable.
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../cli/config.js';

const dir = mkdtempSync(join(tmpdir(), 'covenant-config-'));
const base = { COVENANT_DATA_DIR: join(dir, 'data'), COVENANT_LINK_SECRET: 'x'.repeat(32) };

describe('configuration', () => {
  it('creates the data folder for this user only', () => {
    const config = loadConfig(base);
    expect((statSync(config.dataDir).mode & 0o777).toString(8)).toBe('700');
  });

  it('reads the TLS files and the API key for an external Temporal', () => {
    const cert = join(dir, 'client.pem');
    const key = join(dir, 'client.key');
    writeFileSync(cert, 'CERT');
    writeFileSync(key, 'KEY');
    const config = loadConfig({
      ...base,
      TEMPORAL_ADDRESS: 'temporal.example:7233',
      TEMPORAL_TLS_CERT: cert,
      TEMPORAL_TLS_KEY: key,
      TEMPORAL_API_KEY: 'secret',
    });
    expect(config.temporalTls).toEqual({ clientCert: 'CERT', clientKey: 'KEY' });
    expect(config.temporalApiKey).toBe('secret');
    expect(loadConfig({ ...base, TEMPORAL_TLS: 'true' }).temporalTls).toEqual({});
    expect(loadConfig(base).temporalTls).toBeUndefined();
  });

  it("sizes the worker's cache from its memory, unless told how many contracts it keeps", () => {
    const cached = (env: Record<string, string>) => loadConfig({ ...base, ...env }).worker.cachedContracts;
    expect(cached({})).toBe(372); // 1,024 MB: (1,024 - 540) / 1.3
    expect(cached({ COVENANT_WORKER_MEMORY_MB: '4096' })).toBe(2735);
    expect(cached({ COVENANT_WORKER_MEMORY_MB: '600' })).toBe(100);
    expect(cached({ COVENANT_WORKER_MEMORY_MB: '4096', COVENANT_WORKER_CACHE: '250' })).toBe(250);
    expect(() => loadConfig({ ...base, COVENANT_WORKER_MEMORY_MB: '100' })).toThrow(
      /COVENANT_WORKER_MEMORY_MB/,
    );
  });

  it('reads the categories a contract must name, trimmed and once each', () => {
    expect(loadConfig(base).categories).toBeUndefined();
    expect(loadConfig({ ...base, COVENANT_CATEGORIES: 'Counties, Ministries,Counties' }).categories).toEqual([
      'Counties',
      'Ministries',
    ]);
    expect(() => loadConfig({ ...base, COVENANT_CATEGORIES: 'Counties,,Ministries' })).toThrow(
      /COVENANT_CATEGORIES/,
    );
  });

  it('reads the portfolio review settings, naming a wrong one', () => {
    expect(loadConfig(base).portfolio).toEqual({
      schedule: '0 6 1 1,4,7,10 *',
      timeZone: 'UTC',
      cutoffDays: 45,
      annualCutoffDays: 60,
      pollMinutes: 360,
      office: [],
    });
    const set = loadConfig({
      ...base,
      COVENANT_PORTFOLIO_SCHEDULE: 'off',
      COVENANT_TIME_ZONE: 'Africa/Nairobi',
      COVENANT_PORTFOLIO_CUTOFF_DAYS: '0.5',
      COVENANT_OFFICE_EMAIL: 'Office@pmo.example, head@pmo.example',
    }).portfolio;
    expect([set.schedule, set.timeZone, set.cutoffDays, set.office]).toEqual([
      null,
      'Africa/Nairobi',
      0.5,
      ['office@pmo.example', 'head@pmo.example'],
    ]);
    expect(() => loadConfig({ ...base, COVENANT_TIME_ZONE: 'Mars/Olympus' })).toThrow(
      'COVENANT_TIME_ZONE Mars/Olympus is not a time zone',
    );
    expect(() => loadConfig({ ...base, COVENANT_PORTFOLIO_SCHEDULE: 'quarterly' })).toThrow(
      /COVENANT_PORTFOLIO_SCHEDULE/,
    );
    expect(() => loadConfig({ ...base, COVENANT_PORTFOLIO_CUTOFF_DAYS: '-1' })).toThrow(
      /COVENANT_PORTFOLIO_CUTOFF_DAYS/,
    );
    expect(() => loadConfig({ ...base, COVENANT_PORTFOLIO_POLL_MINUTES: '0' })).toThrow(
      /COVENANT_PORTFOLIO_POLL_MINUTES/,
    );
    expect(() => loadConfig({ ...base, COVENANT_OFFICE_EMAIL: 'office' })).toThrow(/COVENANT_OFFICE_EMAIL/);
  });

  it('reads single sign-on settings only whole, and from https (http on this machine only)', () => {
    expect(loadConfig(base).oidc).toBeUndefined();
    const sso = {
      OIDC_ISSUER: 'https://id.gov.example/realms/pmo',
      OIDC_CLIENT_ID: 'covenant',
      OIDC_CLIENT_SECRET: 's3cret',
    };
    expect(loadConfig({ ...base, ...sso }).oidc).toEqual({
      issuer: 'https://id.gov.example/realms/pmo',
      clientId: 'covenant',
      clientSecret: 's3cret',
      name: 'single sign-on',
    });
    expect(loadConfig({ ...base, ...sso, OIDC_NAME: 'Agency SSO' }).oidc?.name).toBe('Agency SSO');
    expect(() => loadConfig({ ...base, OIDC_ISSUER: sso.OIDC_ISSUER, OIDC_CLIENT_ID: 'covenant' })).toThrow(
      'single sign-on needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET; only OIDC_ISSUER, OIDC_CLIENT_ID given',
    );
    expect(() => loadConfig({ ...base, ...sso, OIDC_ISSUER: 'http://id.gov.example' })).toThrow(
      'OIDC_ISSUER must be an https:// address',
    );
    expect(loadConfig({ ...base, ...sso, OIDC_ISSUER: 'http://localhost:9000' }).oidc?.issuer).toBe(
      'http://localhost:9000',
    );
    expect(() => loadConfig({ ...base, ...sso, OIDC_ISSUER: 'id.gov.example' })).toThrow(/OIDC_ISSUER/);
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ ...base, TEMPORAL_TLS_CERT: join(dir, 'client.pem') })).toThrow(
      'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together',
    );
    expect(() =>
      loadConfig({
        ...base,
        TEMPORAL_TLS_CERT: join(dir, 'nope.pem'),
        TEMPORAL_TLS_KEY: join(dir, 'nope.key'),
      }),
    ).toThrow(/TEMPORAL_TLS_CERT names .*nope\.pem, which cannot be read/);
    expect(() => loadConfig({ ...base, TEMPORAL_TLS: 'yes' })).toThrow(/TEMPORAL_TLS/);
    expect(() => loadConfig({ ...base, PORT: 'eighty' })).toThrow(/PORT/);
  });
});
