// Server-rendered pages of the web UI, from templates/pages.
import type { Response } from 'express';
import type { Templates } from '../templates/index.js';
import type { Principal } from './auth/principal.js';
import type { SessionForms } from './auth/session-forms.js';
import { cspNonce } from './security.js';

export class Pages {
  constructor(
    private readonly templates: Templates,
    private readonly showOutbox: boolean,
    private readonly forms?: SessionForms,
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
          // The CSRF field of this page's forms, for a signed-in person.
          formCsrf: this.forms?.field(res.req.headers),
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
