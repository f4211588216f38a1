// Outgoing mail through one pooled Nodemailer SMTP transport, at least once and repeated only when
// it cannot be helped: a message the relay acknowledged is recorded at once (store/mail.ts)
// and never sent again by a retry; the transport's timeouts end a stuck attempt well before the
// activity's start-to-close timeout, so a slow relay never gets a second copy while the first runs.
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import nodemailer from 'nodemailer';
import { MAIL_REJECTED } from '../model/errors.js';
import type { Person } from '../model/contract.js';
import type { RenderedEmail } from '../templates/index.js';
import type { SentMailRecord } from '../store/mail.js';

/**
 * Transport timeouts, in ms. Together (connect + greeting + one socket wait) they stay far below
 * the email activities' start-to-close timeout (workflows/contract/activities.ts).
 */
export const SMTP_TIMEOUTS = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 120_000 };

export class Mailer {
  private readonly transport: nodemailer.Transporter;

  constructor(
    smtpUrl: string,
    readonly from: string,
    private readonly sent: SentMailRecord,
  ) {
    const url = new URL(smtpUrl);
    // Query parameters of SMTP_URL are transport options; these are the defaults it may override.
    const defaults = { pool: true, ...SMTP_TIMEOUTS };
    for (const [name, value] of Object.entries(defaults))
      if (!url.searchParams.has(name)) url.searchParams.set(name, String(value));
    this.transport = nodemailer.createTransport(url.toString());
  }

  /**
   * Sends one message unless the relay already acknowledged it; the Message-ID comes from `key`,
   * so a retried send is recognisably the same message.
   */
  async send(
    key: string,
    to: Person[],
    email: RenderedEmail,
  ): Promise<{ messageId: string; alreadySent: boolean }> {
    const messageId = messageIdFor(key);
    if (await this.sent.has(messageId)) return { messageId, alreadySent: true };
    try {
      await this.transport.sendMail({
        from: this.from,
        to: to.map((p) => ({ name: p.name, address: p.email })),
        subject: email.subject,
        text: email.text,
        html: email.html,
        messageId,
        headers: { 'X-Covenant-Key': key },
      });
    } catch (err) {
      const code = (err as { responseCode?: unknown }).responseCode;
      // 5xx is the relay's final answer (no such mailbox, refused): retrying would only block the queue.
      if (typeof code === 'number' && code >= 500 && code < 600) {
        throw ApplicationFailure.nonRetryable(
          `The mail relay refused the message: ${(err as Error).message}`,
          MAIL_REJECTED,
        );
      }
      throw err;
    }
    await this.sent.record(messageId);
    return { messageId, alreadySent: false };
  }

  close(): void {
    this.transport.close();
  }
}

export function messageIdFor(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 40)}@covenant>`;
}
