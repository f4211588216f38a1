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
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.sequence = readdirSync(dir).filter((f) => f.endsWith('.json')).length;
  }

  add(message: Omit<CaughtMessage, 'id'>): CaughtMessage {
    this.sequence += 1;
    const id = `${Date.now().toString().padStart(15, '0')}-${String(this.sequence).padStart(6, '0')}`;
    const stored = { id, ...message };
    const file = join(this.dir, `${id}.json`);
    // Caught mail holds approval links: readable by Covenant's user only.
    writeFileSync(`${file}.tmp`, JSON.stringify(stored), { mode: 0o600 });
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

  /**
   * One entry per Message-ID, newest first, with how many times it arrived: a message sent twice
   * (a retry after a crash whose acknowledgement was lost) shows as one row with 2 copies.
   */
  listByMessageId(): (CaughtMessage & { copies: number })[] {
    const groups = new Map<string, CaughtMessage & { copies: number }>();
    for (const message of this.list()) {
      const key = message.messageId || message.id;
      const group = groups.get(key);
      if (group) group.copies += 1;
      else groups.set(key, { ...message, copies: 1 });
    }
    return [...groups.values()];
  }

  get(id: string): CaughtMessage | undefined {
    return this.list().find((m) => m.id === id);
  }
}
