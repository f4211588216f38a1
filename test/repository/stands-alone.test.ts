// The repository stands alone: a user clones it anywhere, with nothing beside it. No tracked file
// may refer to a path above the repository's root (code, tests, scripts, docs).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../cli/temporal-binaries.js';

/** Data that is not ours to read for paths: recorded histories, vendored suites, the lockfile. */
const SKIPPED = [/^package-lock\.json$/, /^test\/histories\//, /^test\/fixtures\//, /\.(png|jpg|ico|pdf)$/];

function trackedFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z'], { cwd: projectRoot, encoding: 'utf8' });
  return listed.split('\0').filter((f) => f && !SKIPPED.some((p) => p.test(f)));
}

/** The workspace's shared folder, however it is reached. */
const SHARED = /\.\.\/shared\b/;
const UP = '../';

/** Every `../` path in a file that resolves outside the repository, as "file:line: path". */
export function escapes(file: string, text: string): string[] {
  const found: string[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    for (const match of line.matchAll(/(?<![\w.])((?:\.\.\/)+)([\w@-][\w@./-]*)?/g)) {
      const target = resolve(projectRoot, dirname(file), match[1]! + (match[2] ?? ''));
      if (relative(projectRoot, target).startsWith('..')) found.push(`${file}:${i + 1}: ${match[0]}`);
    }
    const shared = SHARED.exec(line);
    if (shared && !found.some((f) => f.startsWith(`${file}:${i + 1}:`)))
      found.push(`${file}:${i + 1}: ${shared[0]}`);
  });
  return found;
}

describe('the repository', () => {
  it('refers to no path above its root in any tracked file', () => {
    const files = trackedFiles();
    expect(files.length).toBeGreaterThan(100);
    const outside = files.flatMap((file) => escapes(file, readFileSync(join(projectRoot, file), 'utf8')));
    expect(outside).toEqual([]);
  });

  it('notices a reference that leaves the root', () => {
    // Built from parts, so that this file does not itself refer above the root.
    expect(escapes('test/rules/x.test.ts', `readFileSync('${UP.repeat(3)}shared/suite.json')`)).toHaveLength(
      1,
    );
    expect(escapes('README.md', `See ${UP}ARCHITECTURE.md`)).toHaveLength(1);
    expect(escapes('test/rules/x.test.ts', "import '../../model/contract.js'")).toEqual([]);
    expect(escapes('docs/api.md', 'see [rules](../README.md)')).toEqual([]);
  });
});
