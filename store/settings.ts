// Settings every process shares: an API server keeps nothing on local disk, so the key that signs
// approval and document links lives in the database (unless COVENANT_LINK_SECRET sets it).
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from './database.js';

/**
 * The link-signing key: the database's; on first start the one an older Covenant kept in the data
 * folder (so the links it sent keep working), else a new one. Every process agrees on it.
 */
export async function linkSecret(database: Database, dataDir: string): Promise<string> {
  const file = join(dataDir, 'link-secret');
  const candidate = existsSync(file) ? readFileSync(file, 'utf8').trim() : randomBytes(32).toString('base64url');
  await database.query("insert into settings (name, value) values ('link-secret', $1) on conflict do nothing", [
    candidate,
  ]);
  const { rows } = await database.query<{ value: string }>("select value from settings where name = 'link-secret'");
  if (existsSync(file)) renameSync(file, `${file}.imported`);
  return rows[0]!.value;
}
