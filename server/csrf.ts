// The approval page's CSRF token. Showing the page sets a random nonce in an HttpOnly,
// SameSite=Strict cookie scoped to that one link's path, and puts into its forms an HMAC of
// (approval token, nonce, expiry) under the server key. A POST must bring both, so it can only
// come from a page this server showed, in the same browser, for the same link, lately; a mail
// scanner that posts, or a form on another site, gets a refusal and nothing changes.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';

export type CsrfCheck = 'ok' | 'missing' | 'mismatch' | 'expired';

const COOKIE = 'covenant_csrf';
/** Long enough to read the terms and think; a page left open longer is reloaded. */
export const FORM_LIFETIME_MS = 2 * 60 * 60 * 1000;

export class ApprovalCsrf {
  constructor(private readonly secret: string) {}

  /** Sets the cookie for this approval link and returns the value of the forms' hidden `csrf` field. */
  issue(req: Request, res: Response, approvalToken: string, nowMs = Date.now()): string {
    const nonce = randomBytes(16).toString('base64url');
    res.cookie(COOKIE, nonce, {
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure,
      path: linkPath(req),
      maxAge: FORM_LIFETIME_MS,
    });
    return this.field(approvalToken, nonce, nowMs + FORM_LIFETIME_MS);
  }

  /** The hidden field's value for one approval link, one cookie nonce and an expiry. */
  field(approvalToken: string, nonce: string, expiresAtMs: number): string {
    const expiry = Math.floor(expiresAtMs).toString(36);
    return `${expiry}.${this.mac(approvalToken, nonce, expiry)}`;
  }

  check(req: Request, approvalToken: string, field: unknown, nowMs = Date.now()): CsrfCheck {
    const nonce = cookie(req, COOKIE);
    if (typeof field !== 'string' || !field || !nonce) return 'missing';
    const parts = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/.exec(field);
    if (!parts) return 'mismatch';
    const expiry = parts[1]!;
    const expected = Buffer.from(this.mac(approvalToken, nonce, expiry));
    const given = Buffer.from(parts[2]!);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'mismatch';
    return nowMs > parseInt(expiry, 36) ? 'expired' : 'ok';
  }

  private mac(approvalToken: string, nonce: string, expiry: string): string {
    return createHmac('sha256', this.secret)
      .update(`covenant-csrf:${expiry}:${nonce}:${approvalToken}`)
      .digest('base64url');
  }
}

/** `/approvals/<token>`: the cookie goes back to this link (and its /delegate form) only. */
function linkPath(req: Request): string {
  return `${req.baseUrl}/${String(req.params.token)}`;
}

/** A cookie's value in the request, if it carries one of that name. */
export function cookie(req: Request, name: string): string | undefined {
  for (const pair of (req.headers.cookie ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}
