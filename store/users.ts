// People who sign in, their one-time sign-in links and their sessions. Links and session ids are
// 256-bit random values handed out once and kept as SHA-256 hashes: the database cannot sign
// anyone in. A link works once, for LINK_MINUTES; a session ends after IDLE_HOURS without use or
// ABSOLUTE_DAYS in any case, at sign-out, or when its user is disabled.
import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../server/auth/principal.js';
import type pg from 'pg';
import type { Database } from './database.js';

export const LINK_MINUTES = 15;
export const IDLE_HOURS = 12;
export const ABSOLUTE_DAYS = 7;

export interface User {
  email: string;
  name: string;
  role: Role;
  unit?: string;
  createdAt: string;
  createdBy?: string;
  disabledAt?: string;
}

interface UserRow {
  email: string;
  name: string;
  role: Role;
  unit: string | null;
  created_at: Date;
  created_by: string | null;
  disabled_at: Date | null;
}

export function hashOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function secret(): string {
  return randomBytes(32).toString('base64url');
}

export class UserStore {
  constructor(private readonly database: Database) {}

  async count(): Promise<number> {
    const { rows } = await this.database.query<{ n: number }>('select count(*)::int as n from users');
    return rows[0]!.n;
  }

  async list(): Promise<User[]> {
    const { rows } = await this.database.query<UserRow>('select * from users order by email');
    return rows.map(fromRow);
  }

  async get(email: string): Promise<User | undefined> {
    const { rows } = await this.database.query<UserRow>('select * from users where email = $1', [
      email.toLowerCase(),
    ]);
    return rows[0] && fromRow(rows[0]);
  }

  /** Adds a person, or changes their name, role and unit (and enables them again). */
  async put(user: { email: string; name: string; role: Role; unit?: string }, by?: string): Promise<User> {
    const { rows } = await this.database.query<UserRow>(
      `insert into users (email, name, role, unit, created_by) values ($1, $2, $3, $4, $5)
       on conflict (email) do update set name = excluded.name, role = excluded.role, unit = excluded.unit,
         disabled_at = null
       returning *`,
      [user.email.toLowerCase(), user.name, user.role, user.unit ?? null, by ?? null],
    );
    return fromRow(rows[0]!);
  }

  /** Disables a person: their sessions end and their links stop working. */
  async disable(email: string): Promise<boolean> {
    return this.database.transaction(async (client) => {
      const { rowCount } = await client.query(
        'update users set disabled_at = now() where email = $1 and disabled_at is null',
        [email.toLowerCase()],
      );
      await client.query('update sessions set revoked_at = now() where email = $1 and revoked_at is null', [
        email.toLowerCase(),
      ]);
      return (rowCount ?? 0) > 0;
    });
  }

  /** A one-time sign-in link's secret for an enabled user; undefined for anyone else. */
  async issueLink(email: string): Promise<string | undefined> {
    const token = secret();
    const { rowCount } = await this.database.query(
      `insert into sign_in_links (hash, email, expires_at)
       select $1, email, now() + make_interval(mins => $3) from users where email = $2 and disabled_at is null`,
      [hashOf(token), email.toLowerCase(), LINK_MINUTES],
    );
    return rowCount ? token : undefined;
  }

  /** Who a link signs in, without using it (the page that asks to confirm). */
  async linkHolder(token: string): Promise<User | undefined> {
    const { rows } = await this.database.query<UserRow>(
      `select u.* from sign_in_links l join users u using (email)
        where l.hash = $1 and l.used_at is null and l.expires_at > now() and u.disabled_at is null`,
      [hashOf(token)],
    );
    return rows[0] && fromRow(rows[0]);
  }

  /**
   * Uses a link once and opens a session: its secret (for the cookie) and its user; undefined when
   * the link is unknown, used, expired, or its user disabled. Every other unused link of that
   * person stops working too.
   */
  async signIn(token: string): Promise<{ session: string; user: User } | undefined> {
    return this.database.transaction(async (client) => {
      const { rows } = await client.query<UserRow>(
        `update sign_in_links l set used_at = now() from users u
          where l.hash = $1 and l.used_at is null and l.expires_at > now()
            and u.email = l.email and u.disabled_at is null
          returning u.*`,
        [hashOf(token)],
      );
      const row = rows[0];
      if (!row) return undefined;
      await client.query('update sign_in_links set used_at = now() where email = $1 and used_at is null', [
        row.email,
      ]);
      return { session: await openSession(client, row.email), user: fromRow(row) };
    });
  }

  /**
   * Opens a session for an enabled person whom another party proved (OIDC single sign-on);
   * undefined when Covenant does not know them or they are disabled.
   */
  async signInProven(email: string): Promise<{ session: string; user: User } | undefined> {
    return this.database.transaction(async (client) => {
      const { rows } = await client.query<UserRow>(
        'select * from users where email = $1 and disabled_at is null for share',
        [email.toLowerCase()],
      );
      const row = rows[0];
      if (!row) return undefined;
      return { session: await openSession(client, row.email), user: fromRow(row) };
    });
  }

  /** The user of a live session, which counts as activity; undefined when it has ended. */
  async session(token: string): Promise<User | undefined> {
    const { rows } = await this.database.query<UserRow>(
      `with live as (
         update sessions s set last_seen_at = now() from users u
          where s.hash = $1 and s.revoked_at is null and s.expires_at > now()
            and s.last_seen_at > now() - make_interval(hours => $2)
            and u.email = s.email and u.disabled_at is null
          returning u.*
       ) select * from live`,
      [hashOf(token), IDLE_HOURS],
    );
    return rows[0] && fromRow(rows[0]);
  }

  /** Ends one session, or every session of its user. */
  async signOut(token: string, everywhere: boolean): Promise<void> {
    await this.database.query(
      everywhere
        ? `update sessions set revoked_at = now() where revoked_at is null
             and email = (select email from sessions where hash = $1)`
        : 'update sessions set revoked_at = now() where hash = $1 and revoked_at is null',
      [hashOf(token)],
    );
  }
}

/** A new session for `email`: its secret, for the cookie (the database keeps the hash). */
async function openSession(client: pg.PoolClient, email: string): Promise<string> {
  const session = secret();
  await client.query(
    `insert into sessions (hash, email, expires_at) values ($1, $2, now() + make_interval(days => $3))`,
    [hashOf(session), email, ABSOLUTE_DAYS],
  );
  return session;
}

function fromRow(row: UserRow): User {
  return {
    email: row.email,
    name: row.name,
    role: row.role,
    ...(row.unit ? { unit: row.unit } : {}),
    createdAt: row.created_at.toISOString(),
    ...(row.created_by ? { createdBy: row.created_by } : {}),
    ...(row.disabled_at ? { disabledAt: row.disabled_at.toISOString() } : {}),
  };
}
