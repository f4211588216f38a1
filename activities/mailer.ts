// Outgoing mail through one pooled Nodemailer SMTP transport.
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import nodemailer from 'nodemailer';
import { MAIL_REJECTED } from '../model/errors.js';
import type { Person } from '../model/contract.js';
import type { RenderedEmail } from '../templates/index.js';

export class Mailer {
  private readonly transport: nodemailer.Transporter;

  constructor(
    smtpUrl: string,
    readonly from: string,
  ) {
    const url = new URL(smtpUrl);
    if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
    this.transport = nodemailer.createTransport(url.toString());
  }

  /** Sends one message; the Message-ID comes from `key`, so a retried send is recognisably the same message. */
  async send(key: string, to: Person[], email: RenderedEmail): Promise<string> {
    const messageId = messageIdFor(key);
    try {
      await this.send_(key, to, email, messageId);
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
    return messageId;
  }

  private async send_(key: string, to: Person[], email: RenderedEmail, messageId: string): Promise<void> {
    await this.transport.sendMail({
      from: this.from,
      to: to.map((p) => ({ name: p.name, address: p.email })),
      subject: email.subject,
      text: email.text,
      html: email.html,
      messageId,
      headers: { 'X-Covenant-Key': key },
    });
  }

  close(): void {
    this.transport.close();
  }
}

export function messageIdFor(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 40)}@covenant>`;
}
