// Where API tokens are kept: only their SHA-256 hashes, never the tokens. The interface lets the
// store move into Temporal or a database later; today it is one JSON file under the data folder,
// which the server re-reads when it changes, so `covenant tokens create` takes effect at once.
import { timingSafeEqual } from 'node:crypto';
import { open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { validator } from '../../model/validation.js';
import { ROLES, type Role } from './principal.js';

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

interface TokenFile {
  version: 1;
  tokens: StoredToken[];
}

const checkFile = validator<TokenFile>({
  type: 'object',
  additionalProperties: false,
  required: ['version', 'tokens'],
  properties: {
    version: { const: 1 },
    tokens: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name', 'role', 'hash', 'createdAt'],
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          role: { enum: [...ROLES] },
          email: { type: 'string' },
          unit: { type: 'string' },
          hash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
          createdAt: { type: 'string' },
          revokedAt: { type: 'string' },
        },
      },
    },
  },
});

const LOCK_WAIT_MS = 5_000;
const STALE_LOCK_MS = 30_000;

export class FileTokenStore implements TokenStore {
  private cache: { stamp: string; tokens: StoredToken[] } | undefined;

  constructor(readonly file: string) {}

  list(): Promise<StoredToken[]> {
    return this.read();
  }

  async findActive(hash: string): Promise<StoredToken | undefined> {
    const wanted = Buffer.from(hash, 'hex');
    let found: StoredToken | undefined;
    // Compare with every record, in constant time each, rather than stop at the first match.
    for (const token of await this.read()) {
      const candidate = Buffer.from(token.hash, 'hex');
      const same = candidate.length === wanted.length && timingSafeEqual(candidate, wanted);
      if (same && !token.revokedAt && !found) found = token;
    }
    return found;
  }

  async add(token: StoredToken, check?: (current: StoredToken[]) => void): Promise<void> {
    await this.update((tokens) => {
      check?.(tokens);
      return [...tokens, token];
    });
  }

  async revoke(idOrName: string, at: string): Promise<StoredToken | undefined> {
    let revoked: StoredToken | undefined;
    await this.update((tokens) =>
      tokens.map((t) => {
        if (revoked || t.revokedAt || (t.id !== idOrName && t.name !== idOrName)) return t;
        revoked = { ...t, revokedAt: at };
        return revoked;
      }),
    );
    return revoked;
  }

  /** The tokens on disk; parsed again only when the file changed (a new inode, size or mtime). */
  private async read(): Promise<StoredToken[]> {
    let stamp: string;
    try {
      const info = await stat(this.file);
      stamp = `${info.ino}:${info.size}:${info.mtimeMs}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    if (this.cache?.stamp === stamp) return this.cache.tokens;
    const tokens = checkFile(JSON.parse(await readFile(this.file, 'utf8'))).tokens;
    this.cache = { stamp, tokens };
    return tokens;
  }

  /** Read, change and write back under a lock file, so two CLI runs cannot lose each other's change. */
  private async update(change: (tokens: StoredToken[]) => StoredToken[]): Promise<void> {
    const release = await this.lock();
    try {
      this.cache = undefined;
      const tokens = change(await this.read());
      const body: TokenFile = { version: 1, tokens };
      const temporary = `${this.file}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 });
      await rename(temporary, this.file);
    } finally {
      await release();
    }
  }

  private async lock(): Promise<() => Promise<void>> {
    const lockFile = `${this.file}.lock`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        const handle = await open(lockFile, 'wx', 0o600);
        await handle.close();
        return () => unlink(lockFile);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        // A lock left by a process that died mid-write would block every change forever.
        const held = await stat(lockFile).catch(ignoreMissing);
        if (held && Date.now() - held.mtimeMs > STALE_LOCK_MS) await unlink(lockFile).catch(ignoreMissing);
        else if (Date.now() > deadline) throw new Error(`${lockFile} is held by another process`);
        else await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
}

/** A file that another process removed meanwhile is not an error here: the loop looks again. */
function ignoreMissing(err: unknown): undefined {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  throw err;
}
