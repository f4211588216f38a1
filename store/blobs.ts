// Rendered documents: each content stored once by its SHA-256, named by keys such as
// "PC-1/y1-Q1-review.html". An interface, so that object storage can take its place later.
import { createHash } from 'node:crypto';
import type { Database } from './database.js';

export interface StoredBlob {
  content: Buffer;
  contentType: string;
  sha256: string;
  /** The name it was uploaded under (evidence). */
  name?: string;
}

export interface BlobStore {
  /** Stores content under a key (idempotent: the same key and content change nothing); returns its SHA-256. */
  put(key: string, content: string | Buffer, contentType: string, name?: string): Promise<string>;
  /** Stores content under a key unless something is stored there already; returns the SHA-256 kept. */
  putOnce(key: string, content: string | Buffer, contentType: string): Promise<string>;
  get(key: string): Promise<StoredBlob | undefined>;
  /** How many keys start with `prefix`. */
  count(prefix: string): Promise<number>;
  /** What is stored under a key, without its content. */
  head(
    key: string,
  ): Promise<{ contentType: string; sha256: string; size: number; name?: string } | undefined>;
}

/** Letters, digits, '.', '_' and '-' per segment, segments joined by '/', no dot segments. */
// The first segment is a contract's id, or `_portfolio` (which no contract id can be) for the
// portfolio reviews' documents.
const KEY = /^(_portfolio|[A-Za-z0-9][A-Za-z0-9._-]*)(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

export function isDocumentKey(key: string): boolean {
  return key.length <= 500 && KEY.test(key) && !key.split('/').some((s) => s === '..' || s === '.');
}

export class PgBlobStore implements BlobStore {
  constructor(private readonly database: Database) {}

  async put(key: string, content: string | Buffer, contentType: string, name?: string): Promise<string> {
    if (!isDocumentKey(key)) throw new Error(`Invalid document key ${key}`);
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await this.database.transaction(async (client) => {
      await client.query('insert into blobs (sha256, content) values ($1, $2) on conflict do nothing', [
        sha256,
        bytes,
      ]);
      await client.query(
        `insert into documents (key, sha256, content_type, name) values ($1, $2, $3, $4)
         on conflict (key) do update set sha256 = excluded.sha256, content_type = excluded.content_type,
           name = coalesce(excluded.name, documents.name), stored_at = now()`,
        [key, sha256, contentType, name ?? null],
      );
    });
    return sha256;
  }

  async putOnce(key: string, content: string | Buffer, contentType: string): Promise<string> {
    if (!isDocumentKey(key)) throw new Error(`Invalid document key ${key}`);
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return this.database.transaction(async (client) => {
      await client.query('insert into blobs (sha256, content) values ($1, $2) on conflict do nothing', [
        sha256,
        bytes,
      ]);
      await client.query(
        `insert into documents (key, sha256, content_type) values ($1, $2, $3) on conflict (key) do nothing`,
        [key, sha256, contentType],
      );
      const { rows } = await client.query<{ sha256: string }>('select sha256 from documents where key = $1', [
        key,
      ]);
      return rows[0]!.sha256;
    });
  }

  async get(key: string): Promise<StoredBlob | undefined> {
    if (!isDocumentKey(key)) return undefined;
    const { rows } = await this.database.query<{
      content: Buffer;
      content_type: string;
      sha256: string;
      name: string | null;
    }>(
      'select b.content, d.content_type, d.sha256, d.name from documents d join blobs b using (sha256) where d.key = $1',
      [key],
    );
    const row = rows[0];
    return (
      row && {
        content: row.content,
        contentType: row.content_type,
        sha256: row.sha256,
        ...(row.name === null ? {} : { name: row.name }),
      }
    );
  }

  async count(prefix: string): Promise<number> {
    const pattern = prefix.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
    const { rows } = await this.database.query<{ n: number }>(
      'select count(*)::int as n from documents where key like $1',
      [pattern],
    );
    return rows[0]!.n;
  }

  async head(
    key: string,
  ): Promise<{ contentType: string; sha256: string; size: number; name?: string } | undefined> {
    if (!isDocumentKey(key)) return undefined;
    const { rows } = await this.database.query<{
      content_type: string;
      sha256: string;
      size: number;
      name: string | null;
    }>(
      'select d.content_type, d.sha256, d.name, octet_length(b.content) as size from documents d join blobs b using (sha256) where d.key = $1',
      [key],
    );
    const row = rows[0];
    return (
      row && {
        contentType: row.content_type,
        sha256: row.sha256,
        size: Number(row.size),
        ...(row.name === null ? {} : { name: row.name }),
      }
    );
  }
}
