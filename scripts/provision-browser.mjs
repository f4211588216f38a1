#!/usr/bin/env node
// Provisions the headless Chromium the web-UI tests drive (Debian's package; browsers that
// download themselves cannot here). Idempotent; `--quiet` prints only when there is work to do.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const quiet = process.argv.includes('--quiet');
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
if (!isRoot || spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) {
  console.error('[provision] no Chromium: install Debian\'s `chromium` package (or set CHROMIUM_PATH) to run the web-UI tests');
  process.exit(1);
}
say("installing Debian's chromium for the web-UI tests (about a minute, once)...");
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', 'chromium']]) {
  const result = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (result.status !== 0) {
    console.error(`[provision] apt-get ${args.join(' ')} failed`);
    process.exit(1);
  }
}
say('chromium installed: /usr/bin/chromium');
