// Forms of the web application, posted by signed-in people. The gate admits a session on a POST
// only to rows marked `form` (server/auth/permissions.ts), and only tentatively: once the form's
// body is parsed, its hidden `csrf` field must be the HMAC of that session under the server's key
// (with an expiry), or nothing happens (403). The session cookie is SameSite=Lax as well, so a
// form on another site does not even carry it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import { CovenantError } from '../../model/errors.js';
import { hashOf } from '../../store/users.js';
import { grantOf } from './access.js';
import { sessionOf } from './sessions.js';

/** A page's forms stay good for this long; a page left open longer is reloaded. */
const FORM_LIFETIME_MS = 8 * 60 * 60 * 1000;

export class SessionForms {
  constructor(private readonly secret: string) {}

  /** The hidden field for the forms of a page shown to this session; undefined without one. */
  field(headers: IncomingHttpHeaders, nowMs = Date.now()): string | undefined {
    const session = sessionOf(headers);
    if (!session) return undefined;
    const expiry = Math.floor(nowMs + FORM_LIFETIME_MS).toString(36);
    return `${expiry}.${this.mac(session, expiry)}`;
  }

  valid(headers: IncomingHttpHeaders, field: unknown, nowMs = Date.now()): boolean {
    const session = sessionOf(headers);
    const parts = typeof field === 'string' ? /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/.exec(field) : null;
    if (!session || !parts) return false;
    const [, expiry, mac] = parts;
    if (parseInt(expiry!, 36) < nowMs) return false;
    const expected = Buffer.from(this.mac(session, expiry!));
    const given = Buffer.from(mac!);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  /** After the body parser: a session's form POST must bring its field. */
  check(): RequestHandler {
    return (req, _res, next) => {
      const grant = grantOf(req);
      if (req.method === 'POST' && grant?.principal?.session && grant.permission.form) {
        const field = (req.body as Record<string, unknown> | undefined)?.csrf;
        if (!this.valid(req.headers, field)) {
          throw new CovenantError('forbidden', [
            {
              pointer: '/csrf',
              message: 'This form is out of date or came from elsewhere: reload the page and try again.',
            },
          ]);
        }
      }
      next();
    };
  }

  private mac(session: string, expiry: string): string {
    return createHmac('sha256', this.secret)
      .update(`form\0${hashOf(session)}\0${expiry}`)
      .digest('base64url');
  }
}
