// Mail kept in the database: what the built-in catcher caught (every arrival, duplicates included,
// shown by the outbox), and the Message-IDs a relay acknowledged (./../activities/mailer.ts skips
// them on a retry).
import type { Database } from './database.js';

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

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page; absent on the last. */
  next?: string;
}

interface Row {
  id: string;
  message_id: string;
  from_address: string;
  to_addresses: string[];
  subject: string;
  text_body: string;
  html_body: string;
  received_at: Date;
}

export class CaughtMailStore {
  constructor(private readonly database: Database) {}

  async add(message: Omit<CaughtMessage, 'id' | 'date'>): Promise<CaughtMessage> {
    const { rows } = await this.database.query<Row>(
      `insert into caught_mail (message_id, from_address, to_addresses, subject, text_body, html_body)
       values ($1, $2, $3, $4, $5, $6) returning *`,
      [message.messageId, message.from, message.to, message.subject, message.text, message.html],
    );
    return fromRow(rows[0]!);
  }

  /** Newest first, `limit` at a time; `cursor` from the page before. */
  async page(limit: number, cursor?: string): Promise<Page<CaughtMessage>> {
    const before = cursor && /^\d+$/.test(cursor) ? cursor : undefined;
    const { rows } = await this.database.query<Row>(
      `select * from caught_mail ${before ? 'where id < $2' : ''} order by id desc limit $1`,
      before ? [limit + 1, before] : [limit + 1],
    );
    const items = rows.slice(0, limit).map(fromRow);
    return { items, ...(rows.length > limit ? { next: items.at(-1)!.id } : {}) };
  }

  /** Every message, newest first (tests and small outboxes; the API pages). */
  async list(): Promise<CaughtMessage[]> {
    return (await this.database.query<Row>('select * from caught_mail order by id desc')).rows.map(fromRow);
  }

  /**
   * One entry per Message-ID, newest first, with how many times it arrived: a message sent twice
   * (a retry after a crash whose acknowledgement was lost) shows as one row with 2 copies.
   */
  async pageByMessageId(limit: number, cursor?: string): Promise<Page<CaughtMessage & { copies: number }>> {
    const before = cursor && /^\d+$/.test(cursor) ? cursor : undefined;
    const { rows } = await this.database.query<Row & { copies: string }>(
      `select m.*, g.copies from (
         select max(id) as id, count(*) as copies from caught_mail group by message_id
       ) g join caught_mail m using (id)
       ${before ? 'where m.id < $2' : ''} order by m.id desc limit $1`,
      before ? [limit + 1, before] : [limit + 1],
    );
    const items = rows.slice(0, limit).map((r) => ({ ...fromRow(r), copies: Number(r.copies) }));
    return { items, ...(rows.length > limit ? { next: items.at(-1)!.id } : {}) };
  }

  async get(id: string): Promise<CaughtMessage | undefined> {
    if (!/^\d{1,18}$/.test(id)) return undefined;
    const { rows } = await this.database.query<Row>('select * from caught_mail where id = $1', [id]);
    return rows[0] && fromRow(rows[0]);
  }
}

/** The Message-IDs a relay acknowledged. */
export interface SentMailRecord {
  has(messageId: string): Promise<boolean>;
  /** Durable once it returns: a crash after it cannot forget the message was sent. */
  record(messageId: string): Promise<void>;
}

export class PgSentMailRecord implements SentMailRecord {
  constructor(private readonly database: Database) {}

  async has(messageId: string): Promise<boolean> {
    return (
      (await this.database.query('select 1 from mail_sent where message_id = $1', [messageId])).rowCount === 1
    );
  }

  async record(messageId: string): Promise<void> {
    await this.database.query('insert into mail_sent (message_id) values ($1) on conflict do nothing', [
      messageId,
    ]);
  }
}

function fromRow(row: Row): CaughtMessage {
  return {
    id: String(row.id),
    messageId: row.message_id,
    from: row.from_address,
    to: row.to_addresses,
    subject: row.subject,
    text: row.text_body,
    html: row.html_body,
    date: row.received_at.toISOString(),
  };
}
