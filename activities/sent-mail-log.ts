// The Message-IDs a mail relay has acknowledged, kept durably the moment it answers: an email
// activity retried after a crash (its completion lost) finds its message here and does not send it
// again. One line per Message-ID, appended and flushed to disk before the send is reported done.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';

export class SentMailLog {
  private readonly sent: Set<string>;
  private readonly fd: number;

  constructor(readonly file: string) {
    this.sent = new Set(existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
    this.fd = openSync(file, 'a', 0o600);
  }

  has(messageId: string): boolean {
    return this.sent.has(messageId);
  }

  /** Appends and flushes: once this returns, a crash cannot forget the message was sent. */
  record(messageId: string): void {
    if (this.sent.has(messageId)) return;
    writeSync(this.fd, `${messageId}\n`);
    fsyncSync(this.fd);
    this.sent.add(messageId);
  }

  close(): void {
    closeSync(this.fd);
  }
}
