// PostgreSQL, Covenant's one shared store beside Temporal: a pool, transactions, and the schema
// brought up to date at start (./migrate.ts).
import pg from 'pg';
import { migrate } from './migrate.js';

export type Queryable = Pick<pg.Pool, 'query'>;

export class Database {
  constructor(readonly pool: pg.Pool) {}

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(text, values);
  }

  /** Runs `work` in one transaction: committed when it returns, rolled back when it throws. */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const result = await work(client);
      await client.query('commit');
      return result;
    } catch (err) {
      await client.query('rollback').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

export interface OpenOptions {
  /** Connections at most in this process's pool. */
  maxConnections?: number;
}

/** Connects, then applies the migrations not yet applied (under an advisory lock). */
export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 5_000,
  });
  // An idle client's error (the server restarted) must not crash the process: the pool replaces it.
  pool.on('error', () => {});
  const database = new Database(pool);
  try {
    await migrate(database);
  } catch (err) {
    await pool.end();
    throw err;
  }
  return database;
}
