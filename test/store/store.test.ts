// PostgreSQL as Covenant's store, on the run's real PostgreSQL: migrations under a lock, documents
// by content, tokens without duplicates, and the files of an older data folder moved in, once.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { hashToken } from '../../server/auth/api-tokens.js';
import { PgBlobStore } from '../../store/blobs.js';
import { decodeFigures } from '../../rules/simulation-figures.js';
import { Database, openDatabase } from '../../store/database.js';
import { importDataFolder } from '../../store/import-files.js';
import { CaughtMailStore, PgSentMailRecord } from '../../store/mail.js';
import { migrate } from '../../store/migrate.js';
import { ReadModel, type ProjectedState } from '../../store/read-model.js';
import { PgTokenStore } from '../../store/tokens.js';
import { testDatabase } from '../support/stack.js';

async function fresh(): Promise<Database> {
  return openDatabase(await testDatabase());
}

describe('the store', () => {
  it('applies each migration once, however many processes start at once', async () => {
    const url = await testDatabase();
    const databases = await Promise.all(Array.from({ length: 4 }, () => openDatabase(url)));
    const { rows } = await databases[0]!.query<{ name: string }>(
      'select name from schema_migrations order by name',
    );
    expect(rows.map((r) => r.name)).toEqual(
      readdirSync(join(import.meta.dirname, '../../store/migrations')).sort(),
    );
    await Promise.all(databases.map((d) => d.close()));
  });

  it('stops at a migration that fails, naming it, and applies nothing of it', async () => {
    const database = await fresh();
    const folder = mkdtempSync(join(tmpdir(), 'covenant-migrations-'));
    writeFileSync(join(folder, '900_good.sql'), 'create table fine (x int);');
    writeFileSync(join(folder, '901_broken.sql'), 'create table half (x int); select * from no_such_table;');
    await expect(migrate(database, folder)).rejects.toThrow(
      /^The database migration 901_broken\.sql failed: relation "no_such_table" does not exist/,
    );
    const tables = await database.query<{ tablename: string }>(
      "select tablename from pg_tables where tablename in ('fine', 'half')",
    );
    expect(tables.rows.map((r) => r.tablename)).toEqual(['fine']);
    await database.close();
  });

  it('keeps the simulation figures of contracts projected before they were compacted (004)', async () => {
    const migrations = join(import.meta.dirname, '../../store/migrations');
    const before = mkdtempSync(join(tmpdir(), 'covenant-migrations-'));
    for (const file of ['001_stores.sql', '002_read_model.sql', '003_settings.sql'])
      copyFileSync(join(migrations, file), join(before, file));
    const database = new Database(new pg.Pool({ connectionString: await testDatabase() }));
    await migrate(database, before);
    const figures = {
      id: 'PC-OLD',
      periods: [
        {
          id: 'Q1',
          indicators: [{ id: 'k', name: 'K', direction: 'higher', baseline: 1, target: 2, weight: 100 }],
          actuals: { k: 1.5 },
          before: { score: 3, grade: 'Good', escalations: [] },
        },
      ],
    };
    for (const [id, simulation] of [
      ['PC-OLD', figures],
      ['PC-NEW', { id: 'PC-NEW', periods: [] }],
    ] as const) {
      await database.query(
        `insert into contracts (id, version, title, stage, year, unit_name, unit_signatory, principal_name, managers,
           rule_set_id, rule_set_version, period_start, period_end, late, created_at, state, simulation)
         values ($1, 3, 'T', 'active', 1, 'U', 'u@x', 'P', '{}', 'default', 1, '2027-01-01', '2027-12-31',
           false, now(), '{}', $2)`,
        [id, JSON.stringify(simulation)],
      );
    }
    expect(await migrate(database)).toContain('004_simulation_figures.sql');
    const readModel = new ReadModel(database);
    // Only contracts with periods to simulate are read, in their older form.
    expect(await readModel.simulated()).toEqual({ found: [['PC-OLD', 3]], missing: [] });
    expect(await readModel.simulated(['PC-X', 'PC-NEW'])).toEqual({
      found: [['PC-NEW', 3]],
      missing: ['PC-X'],
    });
    const [[, version, text]] = (await readModel.figures(['PC-OLD'])) as [[string, number, string]];
    expect([version, decodeFigures(text)]).toEqual([3, figures]);
    await database.close();
  });

  it('projects a contract in one statement: its periods replaced, new record lines only, older versions ignored', async () => {
    const database = await fresh();
    const readModel = new ReadModel(database);
    const period = (id: string, extra: object = {}) => ({
      id,
      start: '2027-01-01',
      end: '2027-03-31',
      due: '2027-04-15',
      revision: 1,
      requested: true,
      ladder: [],
      late: false,
      moderations: [],
      superseded: [],
      ...extra,
    });
    const line = (seq: number, event: string) => ({
      seq,
      at: '2027-01-02T00:00:00.000Z',
      year: 2027,
      event,
      by: 'x@y',
    });
    const state = (version: number, periods: object[], log: object[], title = 'T') =>
      ({
        id: 'PC-P',
        version,
        title,
        stage: 'active',
        year: 2027,
        unit: { name: 'U', signatory: { name: 'S', email: 'S@U.example' } },
        principal: { name: 'P', email: 'p@x' },
        managers: [{ name: 'M', email: 'M@X.example' }],
        ruleSet: { id: 'default', version: 1 },
        period: { start: '2027-01-01', end: '2027-12-31' },
        revisions: [{ number: 1, indicators: [] }],
        periods,
        late: false,
        log,
        years: [],
        createdAt: '2027-01-01T00:00:00.000Z',
      }) as unknown as ProjectedState;
    const rows = async () => ({
      periods: (
        await database.query<{ period: string; review_version: number | null; grade: string | null }>(
          'select period, review_version, grade from contract_periods where contract_id = $1 order by period',
          ['PC-P'],
        )
      ).rows,
      log: (
        await database.query<{ seq: number; event: string; by_whom: string }>(
          'select seq, event, by_whom from contract_log where contract_id = $1 order by seq',
          ['PC-P'],
        )
      ).rows,
    });
    expect(
      await readModel.project(
        state(1, [period('Q1'), period('Q2')], [line(1, 'created'), line(2, 'signed')]),
      ),
    ).toBe(true);
    expect((await rows()).periods.map((p) => p.period)).toEqual(['Q1', 'Q2']);
    const review = {
      score: 2.5,
      grade: 'Very Good',
      reviewedAt: '2027-04-20T00:00:00.000Z',
      escalations: [],
    };
    const v2 = state(
      2,
      [period('Q1', { review, superseded: [review] })],
      [line(1, 'created'), line(2, 'signed'), line(3, 'reviewed')],
    );
    expect(await readModel.project(v2)).toBe(true);
    expect(await rows()).toEqual({
      periods: [{ period: 'Q1', review_version: 2, grade: 'Very Good' }],
      log: [
        { seq: 1, event: 'created', by_whom: 'x@y' },
        { seq: 2, event: 'signed', by_whom: 'x@y' },
        { seq: 3, event: 'reviewed', by_whom: 'x@y' },
      ],
    });
    // A retried or replayed write of an older version changes nothing, its periods and lines neither.
    const before = await rows();
    expect(
      await readModel.project(state(1, [period('Q1'), period('Q2')], [line(1, 'changed')], 'stale')),
    ).toBe(false);
    expect(await rows()).toEqual(before);
    expect((await readModel.state('PC-P'))!.title).toBe('T');
    await database.close();
  });

  it("keeps each indicator's latest year value with the contract's category, and answers the peers' percentiles", async () => {
    const database = await fresh();
    const readModel = new ReadModel(database);
    const indicator = (id: string, measurement?: string) => ({
      id,
      name: id,
      direction: 'higher',
      baseline: 1,
      target: 2,
      weight: 50,
      ...(measurement ? { measurement } : {}),
    });
    const contract = (
      id: string,
      category: string | undefined,
      q1: Record<string, number | null>,
      lastYear?: number,
    ) =>
      ({
        id,
        version: 1,
        title: id,
        stage: 'active',
        year: 2,
        unit: { name: 'U', signatory: { name: 'S', email: 's@u.example' } },
        principal: { name: 'P', signatory: { name: 'P', email: 'p@x.example' } },
        managers: [],
        ruleSet: { id: 'default', version: 1 },
        period: { start: '2027-01-01', end: '2027-12-31' },
        revisions: [{ number: 1, indicators: [indicator('imm'), indicator('classrooms', 'cumulative')] }],
        periods: [
          {
            id: 'Q1',
            start: '2027-01-01',
            end: '2027-03-31',
            due: '2027-04-15',
            revision: 1,
            requested: true,
            ladder: [],
            late: false,
            report: { actuals: q1, submittedAt: '2027-04-01T00:00:00Z', late: false },
            moderations: [],
            superseded: [],
          },
        ],
        late: false,
        log: [],
        years:
          lastYear === undefined
            ? []
            : [
                {
                  year: 1,
                  indicators: [{ id: 'classrooms', actual: lastYear }],
                  reviews: [],
                  score: 3,
                  grade: 'Good',
                },
              ],
        createdAt: '2027-01-01T00:00:00.000Z',
        ...(category ? { category } : {}),
      }) as unknown as ProjectedState;
    await readModel.project(contract('A', 'County', { imm: 80, classrooms: 3 }, 40));
    await readModel.project(contract('B', 'County', { imm: 90, classrooms: 5 }));
    await readModel.project(contract('C', 'County', { imm: 70, classrooms: null }, 20));
    await readModel.project(contract('D', 'Ministry', { imm: 10 }));
    const values = await database.query(
      'select contract_id, indicator, category, value, year from indicator_values order by 1, 2',
    );
    // A cumulative indicator's quarter is not a year: last year's value, or none.
    expect(values.rows).toEqual([
      { contract_id: 'A', indicator: 'classrooms', category: 'County', value: 40, year: 1 },
      { contract_id: 'A', indicator: 'imm', category: 'County', value: 80, year: 2 },
      { contract_id: 'B', indicator: 'imm', category: 'County', value: 90, year: 2 },
      { contract_id: 'C', indicator: 'classrooms', category: 'County', value: 20, year: 1 },
      { contract_id: 'C', indicator: 'imm', category: 'County', value: 70, year: 2 },
      { contract_id: 'D', indicator: 'imm', category: 'Ministry', value: 10, year: 2 },
    ]);
    expect(await readModel.peers(['imm', 'classrooms', 'other'], 'County', 'A')).toEqual({
      imm: { count: 2, p25: 75, median: 80, p75: 85 },
      classrooms: { count: 1, p25: 20, median: 20, p75: 20 },
    });
    expect((await readModel.peers(['imm'], 'Ministry', 'X')).imm).toEqual({
      count: 1,
      p25: 10,
      median: 10,
      p75: 10,
    });
  });

  it('stores each content once, under as many keys as name it', async () => {
    const database = await fresh();
    const blobs = new PgBlobStore(database);
    const a = await blobs.put('PC-1/y1-Q1-review.html', '<p>same</p>', 'text/html; charset=utf-8');
    const b = await blobs.put('PC-2/y1-Q1-review.html', '<p>same</p>', 'text/html; charset=utf-8');
    expect(a).toBe(b);
    expect((await database.query('select * from blobs')).rowCount).toBe(1);
    expect((await blobs.get('PC-2/y1-Q1-review.html'))!.content.toString()).toBe('<p>same</p>');
    expect(await blobs.get('PC-1/../PC-2/y1-Q1-review.html')).toBeUndefined();
    await expect(blobs.put('../escape', 'x', 'text/plain')).rejects.toThrow('Invalid document key');
    await database.close();
  });

  it('issues a token name once, even to two writers at the same instant', async () => {
    const database = await fresh();
    const store = new PgTokenStore(database);
    const token = (id: string) => ({
      id,
      name: 'same',
      role: 'viewer' as const,
      hash: hashToken(id),
      createdAt: new Date().toISOString(),
    });
    const refuseDuplicate = (current: { name: string; revokedAt?: string }[]) => {
      if (current.some((t) => t.name === 'same' && !t.revokedAt)) throw new Error('duplicate');
    };
    const results = await Promise.allSettled([
      store.add(token('tok_a'), refuseDuplicate),
      store.add(token('tok_b'), refuseDuplicate),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await store.list()).toHaveLength(1);
    await database.close();
  });

  it("moves an older data folder's files in on first start, losing nothing, and only once", async () => {
    const database = await fresh();
    const dir = mkdtempSync(join(tmpdir(), 'covenant-old-data-'));
    writeFileSync(
      join(dir, 'api-tokens.json'),
      JSON.stringify({
        version: 1,
        tokens: [
          {
            id: 'tok_1',
            name: 'first-admin',
            role: 'admin',
            hash: hashToken('cov_old'),
            createdAt: '2026-01-01T00:00:00.000Z',
          },
          {
            id: 'tok_2',
            name: 'gone',
            role: 'viewer',
            hash: hashToken('cov_gone'),
            createdAt: '2026-01-02T00:00:00.000Z',
            revokedAt: '2026-01-03T00:00:00.000Z',
          },
        ],
      }),
    );
    mkdirSync(join(dir, 'outbox'));
    for (const [i, subject] of ['first', 'second'].entries()) {
      writeFileSync(
        join(dir, 'outbox', `00000000000000${i}-00000${i}.json`),
        JSON.stringify({
          id: `x${i}`,
          messageId: `<m${i}@covenant>`,
          from: 'c',
          to: ['a@b.example'],
          subject,
          text: 't',
          html: '',
          date: '2026-01-01T00:00:00.000Z',
        }),
      );
    }
    writeFileSync(join(dir, 'mail-sent.log'), '<m0@covenant>\n<m1@covenant>\n');
    mkdirSync(join(dir, 'documents', 'PC-OLD'), { recursive: true });
    writeFileSync(join(dir, 'documents', 'PC-OLD', 'y1-Q1-review.html'), '<p>old review</p>');

    expect(await importDataFolder(database, dir)).toEqual([
      '2 API tokens',
      '2 caught emails',
      '2 sent Message-IDs',
      '1 documents',
    ]);
    const tokens = new PgTokenStore(database);
    expect((await tokens.findActive(hashToken('cov_old')))?.name).toBe('first-admin');
    expect(await tokens.findActive(hashToken('cov_gone'))).toBeUndefined();
    expect((await new CaughtMailStore(database).list()).map((m) => m.subject)).toEqual(['second', 'first']);
    expect(await new PgSentMailRecord(database).has('<m1@covenant>')).toBe(true);
    expect((await new PgBlobStore(database).get('PC-OLD/y1-Q1-review.html'))!.content.toString()).toBe(
      '<p>old review</p>',
    );
    // The files stay, renamed; a second start moves nothing.
    for (const f of ['api-tokens.json', 'outbox', 'mail-sent.log', 'documents']) {
      expect([f, existsSync(join(dir, f)), existsSync(join(dir, `${f}.imported`))]).toEqual([f, false, true]);
    }
    expect(await importDataFolder(database, dir)).toEqual([]);
    await database.close();
  });
});
