// The HTTP server of a stack, listening before anything else starts: until the application is
// attached every request gets 503 with Retry-After, so a request made during start is never left
// without an answer (a client without a timeout of its own would otherwise wait minutes).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface HttpServer {
  server: Server;
  port: number;
  /** Serves the application from now on. */
  attach(app: RequestListener): void;
  /** Stops taking requests; those under way get `drainMs` to finish, then their connections close. */
  close(drainMs?: number): Promise<void>;
}

export async function listen(port: number, host: string): Promise<HttpServer> {
  let app: RequestListener | undefined;
  const server = createServer((req, res) => (app ? app(req, res) : answerStarting(res)));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  let closing: Promise<void> | undefined;
  return {
    server,
    port: (server.address() as AddressInfo).port,
    attach: (listener) => {
      app = listener;
    },
    close: (drainMs = 5_000) => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), drainMs).unref();
      });
      return closing;
    },
  };
}

/** While the stack starts: 503, with Retry-After, in the API's error shape. */
function answerStarting(res: ServerResponse): void {
  res.writeHead(503, {
    'content-type': 'application/json; charset=utf-8',
    'retry-after': '2',
    'cache-control': 'no-store',
  });
  res.end(
    JSON.stringify({
      errors: [{ pointer: '', message: 'Covenant is starting; try again in a few seconds' }],
    }),
  );
}
