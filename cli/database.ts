// Covenant's PostgreSQL as a process sees it: DATABASE_URL when set, else the embedded one under
// the data folder (started here, or already running for another Covenant process on this folder),
// with its database created and migrated; files an older Covenant kept in the data folder are
// moved in on first start.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../store/database.js';
import { importDataFolder } from '../store/import-files.js';
import type { Config } from './config.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';

/** The database the embedded PostgreSQL holds Covenant's tables in. */
const DATABASE_NAME = 'covenant';

export interface OpenedStore {
  database: Database;
  /** Where it is, without the password. */
  where: string;
  /** Closes the pool, then stops the embedded PostgreSQL if this process started it. */
  close(): Promise<void>;
}

export interface StoreOptions {
  /** Told of what may need a person's attention (where the embedded cluster lives, files moved in). */
  onNotice?: (message: string) => void;
  /** Start the embedded PostgreSQL even if one answers (npm start owns it; the CLI borrows it). */
  own?: boolean;
}

export async function openStore(config: Config, options: StoreOptions = {}): Promise<OpenedStore> {
  let stopEmbedded: (() => Promise<void>) | undefined;
  let url = config.databaseUrl;
  if (!url) {
    const passwordFile = join(config.dataDir, 'postgres-password');
    const running = options.own ? undefined : await embeddedUrlIfRunning(config, passwordFile);
    let adminUrl = running;
    if (!adminUrl) {
      const embedded = await startEmbeddedPostgres({
        dataDir: join(config.dataDir, 'postgres'),
        port: config.postgresPort,
        passwordFile,
        logFile: join(config.dataDir, 'postgres.log'),
        ...(options.onNotice ? { onNotice: options.onNotice } : {}),
      });
      stopEmbedded = () => embedded.stop();
      adminUrl = embedded.adminUrl;
    }
    url = await ensureDatabase(adminUrl, DATABASE_NAME);
  }
  try {
    const database = await openDatabase(url);
    const moved = await importDataFolder(database, config.dataDir);
    if (moved.length > 0)
      options.onNotice?.(`moved into the database from the data folder: ${moved.join('; ')}`);
    return {
      database,
      where: url.replace(/\/\/[^@/]*@/, '//***@'),
      close: async () => {
        await database.close();
        if (stopEmbedded) await stopEmbedded();
      },
    };
  } catch (err) {
    if (stopEmbedded) await stopEmbedded();
    throw err;
  }
}

/** The embedded server's URL when it already answers (another Covenant process runs it). */
async function embeddedUrlIfRunning(config: Config, passwordFile: string): Promise<string | undefined> {
  let password: string;
  try {
    password = readFileSync(passwordFile, 'utf8').trim();
  } catch {
    return undefined;
  }
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${config.postgresPort}/postgres`;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    return url;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates the database when missing; returns its URL. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) {
      try {
        await client.query(`create database ${pg.escapeIdentifier(name)}`);
      } catch (err) {
        // Two processes starting at once: the other one created it.
        if ((err as { code?: string }).code !== '42P04') throw err;
      }
    }
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
