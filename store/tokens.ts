// API tokens, hashes only. Looked up by the SHA-256 of the token presented: a timing difference in
// comparing hashes of 256-bit random tokens tells an attacker nothing usable.
import type { Role } from '../server/auth/principal.js';
import type { Database } from './database.js';

export interface StoredToken {
  /** Public handle for listing and revoking, e.g. "tok_5f2c9a1e". */
  id: string;
  name: string;
  role: Role;
  email?: string;
  unit?: string;
  /** SHA-256 of the token, hex. */
  hash: string;
  createdAt: string;
  revokedAt?: string;
}

export interface TokenStore {
  /** Every token ever issued, revoked ones included (they stay for the record). */
  list(): Promise<StoredToken[]>;
  /** The unrevoked token with this hash. */
  findActive(hash: string): Promise<StoredToken | undefined>;
  /** Adds a token; `check` sees the current tokens first and may refuse by throwing (e.g. a duplicate name). */
  add(token: StoredToken, check?: (current: StoredToken[]) => void): Promise<void>;
  /** Marks the unrevoked token with this id or name revoked; undefined when there is none. */
  revoke(idOrName: string, at: string): Promise<StoredToken | undefined>;
}

interface Row {
  id: string;
  name: string;
  role: Role;
  email: string | null;
  unit: string | null;
  hash: string;
  created_at: Date;
  revoked_at: Date | null;
}

export class PgTokenStore implements TokenStore {
  constructor(private readonly database: Database) {}

  async list(): Promise<StoredToken[]> {
    return (await this.database.query<Row>('select * from api_tokens order by created_at, id')).rows.map(
      fromRow,
    );
  }

  async findActive(hash: string): Promise<StoredToken | undefined> {
    const { rows } = await this.database.query<Row>(
      'select * from api_tokens where hash = $1 and revoked_at is null',
      [hash],
    );
    return rows[0] && fromRow(rows[0]);
  }

  async add(token: StoredToken, check?: (current: StoredToken[]) => void): Promise<void> {
    await this.database.transaction(async (client) => {
      // One writer at a time: the check sees every token added before this one.
      await client.query('lock table api_tokens in share row exclusive mode');
      const current = (await client.query<Row>('select * from api_tokens')).rows.map(fromRow);
      check?.(current);
      await client.query(
        'insert into api_tokens (id, name, role, email, unit, hash, created_at) values ($1, $2, $3, $4, $5, $6, $7)',
        [
          token.id,
          token.name,
          token.role,
          token.email ?? null,
          token.unit ?? null,
          token.hash,
          token.createdAt,
        ],
      );
    });
  }

  async revoke(idOrName: string, at: string): Promise<StoredToken | undefined> {
    const { rows } = await this.database.query<Row>(
      `update api_tokens set revoked_at = $2
        where id = (select id from api_tokens where (id = $1 or name = $1) and revoked_at is null order by created_at limit 1)
        returning *`,
      [idOrName, at],
    );
    return rows[0] && fromRow(rows[0]);
  }
}

function fromRow(row: Row): StoredToken {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    ...(row.email ? { email: row.email } : {}),
    ...(row.unit ? { unit: row.unit } : {}),
    hash: row.hash,
    createdAt: row.created_at.toISOString(),
    ...(row.revoked_at ? { revokedAt: row.revoked_at.toISOString() } : {}),
  };
}
