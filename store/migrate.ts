// Versioned SQL migrations (./migrations/NNN_name.sql), applied in order at start, each in its own
// transaction, under an advisory lock: several processes starting at once apply each one once. A
// migration that fails stops the start with its name and the database's error.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.js';

const MIGRATIONS = join(fileURLToPath(new URL('.', import.meta.url)), 'migrations');
/** Any constant shared by every Covenant process: the key of the advisory lock. */
const LOCK = 0x636f76656e;

export class MigrationError extends Error {}

export async function migrate(database: Database, folder = MIGRATIONS): Promise<string[]> {
  const files = readdirSync(folder)
    .filter((f) => /^\d{3}_[a-z0-9_-]+\.sql$/.test(f))
    .sort();
  const client = await database.pool.connect();
  const applied: string[] = [];
  try {
    await client.query('select pg_advisory_lock($1)', [LOCK]);
    await client.query(
      'create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())',
    );
    const done = new Set(
      (await client.query<{ name: string }>('select name from schema_migrations')).rows.map((r) => r.name),
    );
    for (const file of files) {
      if (done.has(file)) continue;
      try {
        await client.query('begin');
        await client.query(readFileSync(join(folder, file), 'utf8'));
        await client.query('insert into schema_migrations (name) values ($1)', [file]);
        await client.query('commit');
        applied.push(file);
      } catch (err) {
        await client.query('rollback').catch(() => {});
        throw new MigrationError(`The database migration ${file} failed: ${(err as Error).message}`);
      }
    }
  } finally {
    await client.query('select pg_advisory_unlock($1)', [LOCK]).catch(() => {});
    client.release();
  }
  return applied;
}
