// PDF from a stored HTML document, by headless Chromium (Debian's package, driven by
// playwright-core): the same markup people read in the browser, printed A4 with a header naming
// the document and page numbers. Each rendering gets a fresh browser context with JavaScript off
// and every network request refused, so a document can neither run code nor fetch anything; the
// documents worker runs at most its activity slots of them at once (the bounded pool of pages).
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

/** Where Debian and most distributions put Chromium; CHROMIUM_PATH names another. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export function chromiumPath(): string | undefined {
  return [process.env.CHROMIUM_PATH, ...CANDIDATES].find((p): p is string => !!p && existsSync(p));
}

/** No sandbox (root in containers), no GPU, and nothing that calls home: the machine has no network beyond loopback. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

export class NoBrowserError extends Error {}

export class PdfRenderer {
  private browser: Promise<Browser> | undefined;

  constructor(private readonly executablePath: string | undefined = chromiumPath()) {}

  get available(): boolean {
    return this.executablePath !== undefined;
  }

  /** A4 PDF of `html`, with `header` at the top of every page and "page n of m" at the foot. */
  async render(html: string, header: string): Promise<Buffer> {
    const browser = await this.launch();
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    try {
      // Nothing leaves the page: not the network, not a file:// read, not a data URL fetch.
      await context.route('**/*', (route) => route.abort('blockedbyclient'));
      const page = await context.newPage();
      await page.setContent(html, { waitUntil: 'load' });
      return await page.pdf({
        format: 'A4',
        printBackground: true,
        displayHeaderFooter: true,
        margin: { top: '22mm', bottom: '18mm', left: '14mm', right: '14mm' },
        headerTemplate: `<div style="font-size:8px;width:100%;margin:0 14mm;color:#52606d;font-family:Helvetica,Arial,sans-serif;">${escapeHtml(header)}</div>`,
        footerTemplate:
          '<div style="font-size:8px;width:100%;margin:0 14mm;text-align:right;color:#52606d;font-family:Helvetica,Arial,sans-serif;">page <span class="pageNumber"></span> of <span class="totalPages"></span></div>',
      });
    } finally {
      await context.close();
    }
  }

  async close(): Promise<void> {
    const running = this.browser;
    this.browser = undefined;
    await (await running?.catch(() => undefined))?.close();
  }

  private launch(): Promise<Browser> {
    if (!this.executablePath) {
      return Promise.reject(
        new NoBrowserError(
          "No Chromium on this worker: install Debian's chromium package or set CHROMIUM_PATH",
        ),
      );
    }
    if (!this.browser) {
      const executablePath = this.executablePath;
      const launching = import('playwright-core').then(({ chromium }) =>
        chromium.launch({
          executablePath,
          // Covenant stops the browser itself, after the documents worker has drained: Playwright's
          // own handlers would kill it at Ctrl-C under a rendering, and exit the process (130).
          handleSIGINT: false,
          handleSIGTERM: false,
          handleSIGHUP: false,
          args: [...CHROMIUM_ARGS],
        }),
      );
      this.browser = launching;
      // A browser that crashes or is killed is launched again at the next rendering.
      launching.then(
        (browser) =>
          browser.on('disconnected', () => {
            if (this.browser === launching) this.browser = undefined;
          }),
        () => {
          if (this.browser === launching) this.browser = undefined;
        },
      );
    }
    return this.browser;
  }
}

/** The document's <title>, as text: the header of its PDF pages. */
export function titleOf(html: string): string {
  const raw = /<title>([^<]*)<\/title>/i.exec(html)?.[1] ?? '';
  return raw
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#x3D;/g, '=')
    .replace(/&#x60;/g, '`')
    .replace(/&amp;/g, '&')
    .trim();
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
