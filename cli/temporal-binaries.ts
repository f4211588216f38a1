// Where the Temporal binaries are, in the order scripts/provision-temporal.mjs provisions them.
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The `temporal` CLI, or undefined when only the SDK's download could provide it. */
export function temporalCliPath(env: Record<string, string | undefined> = process.env): string | undefined {
  if (env.TEMPORAL_CLI_PATH) return env.TEMPORAL_CLI_PATH;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'temporal'))) return join(dir, 'temporal');
  }
  const cached = join(projectRoot, '.temporal', 'bin', 'temporal');
  return existsSync(cached) ? cached : undefined;
}

/** The wrapper that starts the Java time-skipping test server. */
export function testServerPath(): string | undefined {
  const wrapper = join(projectRoot, '.temporal', 'bin', 'temporal-test-server');
  return existsSync(wrapper) ? wrapper : undefined;
}
