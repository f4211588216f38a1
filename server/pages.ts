// Server-rendered pages of the web UI, from templates/pages.
import type { Response } from 'express';
import type { Templates } from '../templates/index.js';
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
          cspNonce: cspNonce(res),
        }),
      );
  }
}
