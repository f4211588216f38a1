// Review documents are emailed as links to people who hold no API token: such a link carries a
// token signed with the server's key (HMAC-SHA256, the approval-link key), bound to the document's
// path and an expiry. Nothing is stored. Not for workflows (uses node:crypto); key and clock are passed in.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type DocumentTokenCheck = 'ok' | 'malformed' | 'signature' | 'expired';

/**
 * The document's path with a `?token=` that opens it until `expiresAtMs`, e.g.
 * "/documents/PC-1/y1-Q1-review.html?token=…"; prefix it with the public URL to email it.
 */
export function signDocumentUrl(path: string, secret: string, expiresAtMs: number): string {
  return `${path}?token=${signDocumentToken(path, secret, expiresAtMs)}`;
}

export function signDocumentToken(path: string, secret: string, expiresAtMs: number): string {
  const expiry = Math.floor(expiresAtMs).toString(36);
  return `${expiry}.${mac(path, expiry, secret)}`;
}

/** Checks a token against the path it was presented for, as served (e.g. Express's `req.path`). */
export function verifyDocumentToken(
  path: string,
  token: string,
  secret: string,
  nowMs: number,
): DocumentTokenCheck {
  const parts = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!parts) return 'malformed';
  const expiry = parts[1]!;
  const signature = parts[2]!;
  const expected = Buffer.from(mac(path, expiry, secret));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'signature';
  return nowMs > parseInt(expiry, 36) ? 'expired' : 'ok';
}

function mac(path: string, expiry: string, secret: string): string {
  // The purpose prefix keeps a document signature from ever passing as an approval link's, and back.
  return createHmac('sha256', secret).update(`covenant-document:${expiry}:${path}`).digest('base64url');
}
