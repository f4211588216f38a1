// A real SMTP server on loopback that catches every message Covenant sends, for one machine.
import type { AddressInfo } from 'node:net';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { CaughtMailStore } from '../store/mail.js';

export interface MailCatcher {
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function startMailCatcher(
  store: CaughtMailStore,
  port: number,
  host = '127.0.0.1',
): Promise<MailCatcher> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    banner: 'Covenant mail catcher',
    size: 25 * 1024 * 1024,
    // Pooled senders keep idle connections open; a stop drops them after a second, not thirty.
    closeTimeout: 1000,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) =>
          store.add({
            messageId: mail.messageId ?? '',
            from: mail.from?.text ?? '',
            to: addresses(mail.to),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : '',
          }),
        )
        // Acknowledged only once stored: a message the database did not take is refused and retried.
        .then(() => callback())
        .catch((err: unknown) => callback(err instanceof Error ? err : new Error(String(err))));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.server.address() as AddressInfo).port;
  return {
    port: actual,
    url: `smtp://${host}:${actual}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  return list.flatMap((a) => a.value.map((v) => v.address ?? '')).filter(Boolean);
}
