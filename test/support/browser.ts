// Headless Chromium (Debian's package, provisioned by scripts/provision-browser.mjs) driven by
// Playwright, launched as the documents worker launches it; `extraArgs` for what a test adds.
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from '../../activities/pdf.js';

export async function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath)
    throw new Error('No Chromium: run `node scripts/provision-browser.mjs` (npm test does).');
  return chromium.launch({ executablePath, args: [...CHROMIUM_ARGS, ...extraArgs] });
}
