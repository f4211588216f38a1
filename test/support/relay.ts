// A mail relay for tests: a real SMTP server on loopback that records every arrival (duplicates
// included) and can be slow to answer, or down and up again on the same port.
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Arrival {
  messageId: string;
  subject: string;
  at: number;
}

export class TestRelay {
  readonly arrivals: Arrival[] = [];
  /** How long the relay takes to acknowledge a message it received whole. */
  delayMs = 0;
  private server: SMTPServer | undefined;

  constructor(readonly port: number) {}

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      closeTimeout: 1000,
      onData: (stream, _session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            this.arrivals.push({
              messageId: mail.messageId ?? '',
              subject: mail.subject ?? '',
              at: Date.now(),
            });
            setTimeout(() => callback(), this.delayMs);
          })
          .catch((err: unknown) => callback(err as Error));
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** How many times each Message-ID arrived. */
  copies(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const a of this.arrivals) counts.set(a.messageId, (counts.get(a.messageId) ?? 0) + 1);
    return counts;
  }
}
