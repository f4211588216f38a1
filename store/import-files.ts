// An older Covenant kept API tokens, caught mail, the record of sent mail and documents as files in
// the data folder. On first start they move into the database, each in one transaction, and the
// files are renamed `*.imported` (kept, never deleted): nothing is lost, and nothing moves twice.
import { existsSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PgBlobStore } from './blobs.js';
import type { Database } from './database.js';

/** What was moved, in words; empty when there was nothing to move. */
export async function importDataFolder(database: Database, dataDir: string): Promise<string[]> {
  const moved: string[] = [];
  const tokens = join(dataDir, 'api-tokens.json');
  if (existsSync(tokens)) {
    const file = JSON.parse(readFileSync(tokens, 'utf8')) as { tokens: Record<string, string | undefined>[] };
    await database.transaction(async (client) => {
      for (const t of file.tokens) {
        await client.query(
          `insert into api_tokens (id, name, role, email, unit, hash, created_at, revoked_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict do nothing`,
          [t.id, t.name, t.role, t.email ?? null, t.unit ?? null, t.hash, t.createdAt, t.revokedAt ?? null],
        );
      }
    });
    renameSync(tokens, `${tokens}.imported`);
    moved.push(`${file.tokens.length} API tokens`);
  }

  const outbox = join(dataDir, 'outbox');
  if (existsSync(outbox) && statSync(outbox).isDirectory()) {
    const files = readdirSync(outbox)
      .filter((f) => f.endsWith('.json'))
      .sort();
    await database.transaction(async (client) => {
      for (const f of files) {
        const m = JSON.parse(readFileSync(join(outbox, f), 'utf8')) as Record<string, unknown>;
        await client.query(
          `insert into caught_mail (message_id, from_address, to_addresses, subject, text_body, html_body, received_at)
           values ($1, $2, $3, $4, $5, $6, $7)`,
          [
            m.messageId ?? '',
            m.from ?? '',
            m.to ?? [],
            m.subject ?? '',
            m.text ?? '',
            m.html ?? '',
            m.date ?? new Date(),
          ],
        );
      }
    });
    renameSync(outbox, `${outbox}.imported`);
    moved.push(`${files.length} caught emails`);
  }

  const sent = join(dataDir, 'mail-sent.log');
  if (existsSync(sent)) {
    const ids = readFileSync(sent, 'utf8').split('\n').filter(Boolean);
    await database.transaction(async (client) => {
      for (const id of ids)
        await client.query('insert into mail_sent (message_id) values ($1) on conflict do nothing', [id]);
    });
    renameSync(sent, `${sent}.imported`);
    moved.push(`${ids.length} sent Message-IDs`);
  }

  const documents = join(dataDir, 'documents');
  if (existsSync(documents) && statSync(documents).isDirectory()) {
    const blobs = new PgBlobStore(database);
    const files = walk(documents).filter((f) => !f.endsWith('.tmp'));
    for (const file of files) {
      await blobs.put(relative(documents, file), readFileSync(file), 'text/html; charset=utf-8');
    }
    renameSync(documents, `${documents}.imported`);
    moved.push(`${files.length} documents`);
  }
  return moved;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}
