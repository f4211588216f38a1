// Signing in by a one-time link sent to one's email address (people already act by emailed links):
// ask for a link, open it, confirm with a button (a mail scanner that opens links signs nobody in),
// and a session starts; sign out here, or everywhere. Whether an address may sign in is never
// told: the answer to a request is the same for anyone.
import { Router, type Request, type Response } from 'express';
import type { Mailer } from '../../activities/mailer.js';
import { validator } from '../../model/validation.js';
import { LINK_MINUTES, type UserStore } from '../../store/users.js';
import type { Templates } from '../../templates/index.js';
import { clearSessionCookie, sessionOf, setSessionCookie } from '../auth/sessions.js';
import { ApprovalCsrf, cookie } from '../csrf.js';
import { OIDC_COOKIE, OIDC_PENDING_MS, OidcRefusal, type OidcSignOn } from '../auth/oidc.js';
import type { Pages } from '../pages.js';

export interface SignInDeps {
  users: UserStore;
  mailer: Mailer;
  templates: Templates;
  pages: Pages;
  publicUrl: string;
  linkSecret: string;
  /** Single sign-on, when OIDC_ISSUER and its client are configured. */
  oidc?: OidcSignOn;
}

const checkRequest = validator<{ email: string; next?: string }>({
  type: 'object',
  required: ['email'],
  properties: {
    email: { type: 'string', minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' },
    next: { type: 'string', maxLength: 2000 },
  },
});

/** The routers to mount at /sign-in and /sign-out. */
export function signInRoutes(deps: SignInDeps): { signIn: Router; signOut: Router } {
  const { users, pages } = deps;
  const router = Router();
  const csrf = new ApprovalCsrf(deps.linkSecret);
  const secure = deps.publicUrl.startsWith('https://');

  const signOn = deps.oidc && { name: deps.oidc.settings.name };

  router.get('/', (req, res) => {
    const next = nextOf(req.query.next);
    pages.send(res, 200, 'sign-in', { next, signOn, signOnHref: signOnHref(next) });
  });

  router.post('/', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    let request: { email: string; next?: string };
    try {
      request = checkRequest({
        email: typeof body.email === 'string' ? body.email.trim() : body.email,
        next: body.next,
      });
    } catch {
      return pages.send(res, 400, 'sign-in', {
        next: nextOf(body.next),
        signOn,
        signOnHref: signOnHref(nextOf(body.next)),
        email: typeof body.email === 'string' ? body.email : '',
        error: 'Give your email address, e.g. name@agency.example.',
      });
    }
    const user = await users.get(request.email);
    const token = user && !user.disabledAt ? await users.issueLink(user.email) : undefined;
    if (user && token) {
      const next = nextOf(request.next);
      const link = `${deps.publicUrl}/sign-in/${token}${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`;
      await deps.mailer.send(
        `sign-in/${token.slice(0, 16)}`,
        [{ name: user.name, email: user.email }],
        deps.templates.email('sign-in', { user, link, minutes: LINK_MINUTES, publicUrl: deps.publicUrl }),
      );
    }
    pages.send(res, 200, 'sign-in', { sent: request.email, minutes: LINK_MINUTES });
  });

  // Single sign-on: a link (not a form, so form-action 'self' does not stop the redirect) to here,
  // which sends the browser to the provider; it comes back to the callback.
  router.get('/oidc', async (req, res) => {
    const oidc = deps.oidc;
    if (!oidc) return notConfigured(res);
    let started: { url: string; cookie: string };
    try {
      started = await oidc.begin(nextOf(req.query.next));
    } catch (err) {
      if (err instanceof OidcRefusal) return signOnFailed(res, 503, err.message);
      throw err;
    }
    res.cookie(OIDC_COOKIE, started.cookie, {
      httpOnly: true,
      sameSite: 'lax',
      secure,
      path: '/sign-in/oidc',
      maxAge: OIDC_PENDING_MS,
    });
    res.set('Cache-Control', 'no-store').redirect(303, started.url);
  });

  router.get('/oidc/callback', async (req, res) => {
    const oidc = deps.oidc;
    if (!oidc) return notConfigured(res);
    res.set('Cache-Control', 'no-store');
    res.clearCookie(OIDC_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: '/sign-in/oidc' });
    let proven: { email: string; next: string };
    try {
      proven = await oidc.finish(new URL(req.originalUrl, deps.publicUrl), cookie(req, OIDC_COOKIE));
    } catch (err) {
      if (err instanceof OidcRefusal) return signOnFailed(res, 403, err.message);
      throw err;
    }
    const signedIn = await users.signInProven(proven.email);
    if (!signedIn) {
      return signOnFailed(
        res,
        403,
        `${proven.email} may not sign in to Covenant. Ask the performance office to add you on its People page.`,
      );
    }
    setSessionCookie(res, signedIn.session, secure);
    res.redirect(303, nextOf(proven.next));
  });

  // The link's page: who it signs in, and a button (opening it changes nothing).
  router.get('/:token', async (req, res) => {
    const token = String(req.params.token);
    const user = /^[A-Za-z0-9_-]{43}$/.test(token) ? await users.linkHolder(token) : undefined;
    res.set('Cache-Control', 'no-store');
    if (!user) return expired(res);
    pages.send(res, 200, 'sign-in-confirm', {
      user,
      next: nextOf(req.query.next),
      csrf: csrf.issue(req, res, token),
    });
  });

  router.post('/:token', async (req, res) => {
    const token = String(req.params.token);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (csrf.check(req, token, body.csrf) !== 'ok') {
      return pages.send(res, 403, 'message', {
        heading: 'Not signed in',
        message: 'Open the sign-in link from your email again and press the button on that page.',
        bad: true,
      });
    }
    const signedIn = /^[A-Za-z0-9_-]{43}$/.test(token) ? await users.signIn(token) : undefined;
    if (!signedIn) return expired(res);
    // A fresh session at every sign-in: whatever cookie the browser held before is replaced.
    setSessionCookie(res, signedIn.session, secure);
    res.redirect(303, nextOf(body.next));
  });

  const signOut = Router();
  signOut.post('/', async (req: Request, res: Response) => {
    const token = sessionOf(req.headers);
    const everywhere = ((req.body ?? {}) as Record<string, unknown>).everywhere === 'yes';
    if (token) await users.signOut(token, everywhere);
    clearSessionCookie(res, secure);
    pages.send(res, 200, 'message', {
      heading: 'Signed out',
      message: everywhere ? 'You are signed out on every device.' : 'You are signed out.',
      link: { href: '/sign-in', text: 'Sign in again' },
    });
  });

  function signOnHref(next: string): string {
    return `/sign-in/oidc${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`;
  }

  function notConfigured(res: Response): void {
    pages.send(res, 404, 'message', {
      heading: 'No single sign-on here',
      message: 'This Covenant signs people in by an emailed link.',
      link: { href: '/sign-in', text: 'Sign in by email' },
      bad: true,
    });
  }

  function signOnFailed(res: Response, status: number, message: string): void {
    pages.send(res, status, 'message', {
      heading: 'Not signed in',
      message,
      link: { href: '/sign-in', text: 'Back to sign-in' },
      bad: true,
    });
  }

  function expired(res: Response): void {
    pages.send(res, 410, 'message', {
      heading: 'This sign-in link does not work',
      message: `A sign-in link works once, for ${LINK_MINUTES} minutes. Ask for a new one.`,
      link: { href: '/sign-in', text: 'Ask for a new link' },
      bad: true,
    });
  }

  return { signIn: router, signOut };
}

/** Where to go after signing in: a path of this site only (never another site's address). */
function nextOf(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) && value.length <= 2000 ? value : '/';
}
