// HTTP hardening for every response: security headers with a strict Content-Security-Policy, and
// rate limits on the approval links and the API.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { CovenantError } from '../model/errors.js';
import type { Pages } from './pages.js';

export interface RateLimits {
  /** Requests per minute per client address to /approvals. */
  approvalsPerMinute: number;
  /** Requests per minute per client address to /api. */
  apiPerMinute: number;
}

const nonces = new WeakMap<ServerResponse, string>();

/** The nonce this response's CSP allows for the page's own <style> element. */
export function cspNonce(res: ServerResponse): string {
  return nonces.get(res) ?? '';
}

/**
 * No inline scripts and no eval: the application's own bundled script only, no framing (approval buttons cannot be clickjacked), forms post only
 * here, no Referer (approval links are credentials). Pages style themselves with one nonce'd
 * <style>; rendered content (review documents, an email shown in the outbox through a sandboxed
 * srcdoc iframe, which inherits this policy) carries inline styles of its own, so it gets
 * 'unsafe-inline' styles, still without scripts.
 */
export function securityHeaders(): RequestHandler[] {
  const styles = (req: IncomingMessage, res: ServerResponse): string =>
    rendersForeignContent(req.url ?? '') ? "'unsafe-inline'" : `'nonce-${cspNonce(res)}'`;
  const scripts = (req: IncomingMessage, res: ServerResponse): string =>
    usesScript(req.url ?? '') ? `'self' 'nonce-${cspNonce(res)}'` : "'none'";
  return [
    (_req, res, next) => {
      // base64url: no '=' for Handlebars to escape in the attribute.
      nonces.set(res, randomBytes(16).toString('base64url'));
      next();
    },
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          imgSrc: ["'self'", 'data:'],
          styleSrc: [styles],
          // The application's one bundled script (/assets/app.js), from here and with this
          // response's nonce, on the one page that loads it; no script anywhere else.
          scriptSrc: [scripts],
          connectSrc: ["'self'"],
          // style="" attributes cannot run code; pages use a few.
          styleSrcAttr: ["'unsafe-inline'"],
        },
      },
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
    }),
  ];
}

/** Approval pages answer with a page; the API with its JSON error shape. */
export function rateLimiters(
  limits: RateLimits,
  pages: Pages,
): { approvals: RequestHandler; api: RequestHandler; forms: RequestHandler } {
  const common = { windowMs: 60_000, standardHeaders: 'draft-8', legacyHeaders: false } as const;
  return {
    approvals: rateLimit({
      ...common,
      limit: limits.approvalsPerMinute,
      handler: (_req, res) =>
        pages.send(res, 429, 'message', {
          heading: 'Too many requests',
          message:
            'This address has opened too many approval pages in a minute. Wait a minute and try again.',
          bad: true,
        }),
    }),
    // The web application's form posts (and the forms' live checks), counted like API calls.
    forms: rateLimit({
      ...common,
      limit: limits.apiPerMinute,
      skip: (req) => req.method !== 'POST' || /^\/(api|approvals|sign-in)(\/|$)/i.test(req.path),
      handler: (_req, res) =>
        pages.send(res, 429, 'message', {
          heading: 'Too many requests',
          message: 'This address has sent too many forms in a minute. Wait a minute and send it again.',
          bad: true,
        }),
    }),
    api: rateLimit({
      ...common,
      limit: limits.apiPerMinute,
      handler: (_req, _res, next) =>
        next(
          new CovenantError('too-many-requests', [
            { pointer: '', message: 'Too many requests from this address; see the Retry-After header.' },
          ]),
        ),
    }),
  };
}

/** Routes match case-insensitively, so this does too. */
/** The pages that load the bundled script (client/app.ts): the contract form and the raw rule editor. */
function usesScript(url: string): boolean {
  return /^\/(contracts\/new|rulesets\/[^/?]+\/raw)(\/|\?|$)/i.test(url);
}

function rendersForeignContent(url: string): boolean {
  return /^\/(documents\/|outbox\/[^/?]+)/i.test(url);
}
