// Approval links carry a token signed with the server's key (HMAC-SHA256), bound to one contract,
// one pending decision, its revision, the approver and an expiry. Nothing about a token is stored:
// the signature proves it, and the workflow accepts only the decision it is waiting for, once.
// Not for workflows (uses node:crypto); the key and the clock are passed in.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface ApprovalClaims {
  contractId: string;
  approvalId: string;
  revision: number;
  approver: string;
  /** Expiry, epoch milliseconds. */
  expiresAt: number;
}

export type TokenCheck =
  | { ok: true; claims: ApprovalClaims }
  | { ok: false; reason: 'malformed' | 'signature' | 'expired'; claims?: ApprovalClaims };

export function signApprovalToken(claims: ApprovalClaims, secret: string): string {
  const body = Buffer.from(
    JSON.stringify([
      claims.contractId,
      claims.approvalId,
      claims.revision,
      claims.approver,
      claims.expiresAt,
    ]),
  ).toString('base64url');
  return `${body}.${mac(body, secret)}`;
}

export function verifyApprovalToken(token: string, secret: string, nowMs: number): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return { ok: false, reason: 'malformed' };
  const [body, signature] = parts as [string, string];
  const expected = Buffer.from(mac(body, secret));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'signature' };
  const claims = parseClaims(body);
  if (!claims) return { ok: false, reason: 'malformed' };
  if (nowMs > claims.expiresAt) return { ok: false, reason: 'expired', claims };
  return { ok: true, claims };
}

function mac(body: string, secret: string): string {
  return createHmac('sha256', secret).update(`covenant-approval:${body}`).digest('base64url');
}

function parseClaims(body: string): ApprovalClaims | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 5) return undefined;
    const [contractId, approvalId, revision, approver, expiresAt] = value as unknown[];
    if (typeof contractId !== 'string' || typeof approvalId !== 'string' || typeof approver !== 'string')
      return undefined;
    if (typeof revision !== 'number' || typeof expiresAt !== 'number') return undefined;
    return { contractId, approvalId, revision, approver, expiresAt };
  } catch {
    return undefined;
  }
}
