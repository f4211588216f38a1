// Raw HTTP to a test stack, for what fetch keeps from a test: any Host header, any method and body.
import { request } from 'node:http';
import type { Stack } from '../../cli/stack.js';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON when it is JSON. */
  json?: unknown;
}

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export function raw(stack: Stack, { method, path, headers = {}, body }: RawRequest): Promise<RawResponse> {
  const url = new URL(stack.urls.app);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(
      {
        host: '127.0.0.1',
        port: url.port,
        method,
        path,
        headers: {
          ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
          ...headers,
        },
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const isJson = String(res.headers['content-type'] ?? '').includes('json');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            ...(isJson && text ? { json: JSON.parse(text) as unknown } : {}),
          });
        });
      },
    );
    // A server may answer (413, 401) before it reads a large body, then reset: the answer counts.
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    if (body !== undefined) req.write(body);
    req.end();
  });
}
