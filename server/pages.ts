// Server-rendered pages of the web UI, from templates/pages.
import type { Response } from 'express';
import type { Templates } from '../templates/index.js';
import type { Principal } from './auth/principal.js';
import { cspNonce } from './security.js';

export class Pages {
  constructor(
    private readonly templates: Templates,
    private readonly showOutbox: boolean,
  ) {}

  send(res: Response, status: number, page: string, data: Record<string, unknown>): void {
    res
      .status(status)
      .type('html')
      .send(
        this.templates.render(`pages/${page}`, {
          ...data,
          showOutbox: this.showOutbox,
          signedIn: signedIn(res),
          cspNonce: cspNonce(res),
        }),
      );
  }
}

/** The person signed in to the web application, if a session admitted this request. */
function signedIn(res: Response): { name: string; email?: string; role: string } | undefined {
  const principal = res.locals.principal as Principal | undefined;
  return principal?.session
    ? { name: principal.name, role: principal.role, ...(principal.email ? { email: principal.email } : {}) }
    : undefined;
}
