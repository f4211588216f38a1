// Signed-in people: a session cookie (HttpOnly, SameSite=Lax, Secure behind https) whose value is
// the session's secret; the database keeps its hash (store/users.ts). A session proves its user
// on reads (GET); changes go through forms of their own or API tokens, so a page elsewhere cannot
// make a browser change anything with this cookie.
import type { IncomingHttpHeaders } from 'node:http';
import type { Response } from 'express';
import type { UserStore } from '../../store/users.js';
import { ABSOLUTE_DAYS } from '../../store/users.js';
import type { Authenticator, Principal } from './principal.js';

export const SESSION_COOKIE = 'covenant_session';

export class SessionAuthenticator implements Authenticator {
  constructor(private readonly users: UserStore) {}

  async authenticate(headers: IncomingHttpHeaders): Promise<Principal | undefined> {
    const token = sessionOf(headers);
    if (!token) return undefined;
    const user = await this.users.session(token);
    if (!user) return undefined;
    return {
      role: user.role,
      name: user.name,
      email: user.email,
      ...(user.unit ? { unit: user.unit } : {}),
      session: true,
    };
  }
}

/** The session cookie's value, if the request carries one. */
export function sessionOf(headers: IncomingHttpHeaders): string | undefined {
  for (const part of (headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) {
      const token = value.join('=');
      return /^[A-Za-z0-9_-]{43}$/.test(token) ? token : undefined;
    }
  }
  return undefined;
}

export function setSessionCookie(res: Response, token: string, secure: boolean): void {
  res.cookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    maxAge: ABSOLUTE_DAYS * 86_400_000,
  });
}

export function clearSessionCookie(res: Response, secure: boolean): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
}
