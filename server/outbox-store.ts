// Mail caught on one machine, one JSON file per message under the data folder, so the outbox
// survives restarts. Every arrival is kept, duplicates included: the outbox shows what was sent.
import { mkdirSync, readdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';

export interface CaughtMessage {
  id: string;
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  date: string;
}

export class OutboxStore {
  private sequence = 0;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.sequence = readdirSync(dir).filter((f) => f.endsWith('.json')).length;
  }

  add(message: Omit<CaughtMessage, 'id'>): CaughtMessage {
    this.sequence += 1;
    const id = `${Date.now().toString().padStart(15, '0')}-${String(this.sequence).padStart(6, '0')}`;
    const stored = { id, ...message };
    const file = join(this.dir, `${id}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(stored));
    renameSync(`${file}.tmp`, file);
    return stored;
  }

  /** Newest first. */
  list(): CaughtMessage[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .reverse()
      .map((f) => JSON.parse(readFileSync(join(this.dir, f), 'utf8')) as CaughtMessage);
  }

  get(id: string): CaughtMessage | undefined {
    return this.list().find((m) => m.id === id);
  }
}
