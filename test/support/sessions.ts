// Signed-in people for tests that are not about signing in: the person is added and signs in
// through the store's own one-time link (test/integration/sign-in.test.ts drives the emailed link
// in the browser), and the browser or request carries the session cookie that produces.
import type { Browser, BrowserContext } from 'playwright-core';
import type { Stack } from '../../cli/stack.js';
import type { Role } from '../../server/auth/principal.js';
import { SESSION_COOKIE } from '../../server/auth/sessions.js';

export interface Person {
  email: string;
  role: Role;
  name?: string;
  unit?: string;
}

/** A session's secret for `person` (added or updated first). */
export async function sessionFor(stack: Stack, person: Person): Promise<string> {
  await stack.users.put({
    email: person.email,
    name: person.name ?? `Person ${person.email}`,
    role: person.role,
    ...(person.unit ? { unit: person.unit } : {}),
  });
  const link = await stack.users.issueLink(person.email);
  const signedIn = link && (await stack.users.signIn(link));
  if (!signedIn) throw new Error(`${person.email} could not sign in`);
  return signedIn.session;
}

/** The Cookie header of a session for `person`. */
export async function sessionCookie(stack: Stack, person: Person): Promise<string> {
  return `${SESSION_COOKIE}=${await sessionFor(stack, person)}`;
}

/** A browser context signed in as `person` on the stack's own address. */
export async function signedInContext(
  browser: Browser,
  stack: Stack,
  person: Person,
): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.addCookies([
    {
      name: SESSION_COOKIE,
      value: await sessionFor(stack, person),
      url: stack.urls.app,
      httpOnly: true,
      sameSite: 'Lax',
    },
  ]);
  return context;
}

/** The performance office's first admin, as most page tests act. */
export const OFFICE: Person = { email: 'office@pmo.example', role: 'admin', name: 'P. Office' };
