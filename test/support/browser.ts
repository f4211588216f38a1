// Headless Chromium (Debian's package, provisioned by scripts/provision-browser.mjs) driven by Playwright.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export async function launchBrowser(): Promise<Browser> {
  const executablePath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
    (p): p is string => !!p && existsSync(p),
  );
  if (!executablePath)
    throw new Error('No Chromium: run `node scripts/provision-browser.mjs` (npm test does).');
  return chromium.launch({
    executablePath,
    // The machine has no network beyond loopback: keep Chromium from calling home.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
