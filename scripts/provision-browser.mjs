#!/usr/bin/env node
// Provisions the headless Chromium that prints PDF documents and that the web-UI tests drive
// (Debian's package; browsers that download themselves cannot here). Idempotent; `--quiet` prints
// only when there is work to do; `--optional` (npm install) warns instead of failing where it
// cannot install (not root, no apt): Covenant then serves documents as HTML only.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const quiet = process.argv.includes('--quiet');
const optional = process.argv.includes('--optional');
const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);

function say(message) {
  console.log(`[provision] ${message}`);
}

const found = candidates.find((path) => existsSync(path));
if (found) {
  if (!quiet) say(`chromium: ${found}`);
  process.exit(0);
}
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
function fail(message) {
  console.error(`[provision] ${message}`);
  process.exit(optional ? 0 : 1);
}

if (!isRoot || spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) {
  fail(
    optional
      ? "no Chromium: PDF documents need Debian's `chromium` package (or CHROMIUM_PATH); until then documents are HTML only"
      : "no Chromium: install Debian's `chromium` package (or set CHROMIUM_PATH) to run the web-UI and PDF tests",
  );
}
say("installing Debian's chromium for PDF documents and the web-UI tests (about a minute, once)...");
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', 'chromium']]) {
  const result = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (result.status !== 0) fail(`apt-get ${args.join(' ')} failed${optional ? ': documents are HTML only until Chromium is installed' : ''}`);
}
say('chromium installed: /usr/bin/chromium');
