// `covenant rules ...` as an operator runs it: the real CLI in a child process, on files.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../cli/temporal-binaries.js';
import type { RuleSet } from '../../model/ruleset.js';
import type { ContractState } from '../../model/state.js';
import { findBuiltInRuleSet } from '../../rules/library/index.js';
import { scorePeriod } from '../../rules/scoring.js';

const run = promisify(execFile);

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `covenant rules ...`, run as the package's bin runs it (node --import tsx). */
async function covenant(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'cli/covenant.ts', 'rules', ...args],
      {
        cwd: projectRoot,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

let dir: string;
const library = (id: string) => join(projectRoot, 'rules', 'library', `${id}.json`);
const file = (name: string, content: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'covenant-cli-'));
});

describe('covenant rules validate', () => {
  it('passes the built-in rule sets, running their test cases', async () => {
    const result = await covenant('validate', library('default'), library('percent'), library('threshold'));
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      `${library('default')}: valid; 21 of 21 tests pass`,
      `${library('percent')}: valid; 24 of 24 tests pass`,
      `${library('threshold')}: valid; 23 of 23 tests pass`,
    ]);
  });

  it('prints each problem as FILE: /pointer: message, marks warnings, and exits 1 on errors', async () => {
    const ruleSet = structuredClone(findBuiltInRuleSet('default', 1)!) as Partial<RuleSet>;
    delete ruleSet.tests;
    ruleSet.escalations!.push({
      id: 'half-target',
      when: { some: [{ var: 'indicators' }, { '<': [{ var: 'actual' }, { '*': [{ var: 'targt' }, 0.5] }] }] },
      severity: 'medium',
      notify: ['managers'],
      message: 'An indicator is below half its target.',
    });
    const path = file('draft.json', ruleSet);
    const result = await covenant('validate', path);
    expect(result.code).toBe(1);
    expect(result.stdout.trim().split('\n')).toEqual([
      `${path}: /escalations/1/when/some/1/</1/*/0: unknown variable 'targt'; did you mean 'target'?`,
      expect.stringMatching(
        new RegExp(
          `^${escape(path)}: /escalations/1/when/some/1: warning: 'actual' can be null \\(missing data\\)`,
        ),
      ) as unknown,
      `${path}: 1 error, 1 warning; 0 of 0 tests pass; not publishable`,
    ]);
  });

  it('says when a file is not JSON', async () => {
    const path = file('broken.json', '{ "id": "x", ');
    const result = await covenant('validate', path);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^${escape(path)}: not JSON: `));
  });
});

describe('covenant rules test', () => {
  it('runs the test cases and shows the run of a failing one', async () => {
    const ruleSet = structuredClone(findBuiltInRuleSet('threshold', 1)!);
    ruleSet.tests = [
      ruleSet.tests![0]!,
      {
        description: 'the goal scores 7',
        slot: 'scoring.indicator',
        data: { actual: 80, baseline: 50, target: 80 },
        expect: 7,
      },
    ];
    const path = file('threshold-tests.json', ruleSet);
    const result = await covenant('test', path);
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('  ok    the red flag (the baseline, 50) scores 3.33');
    expect(lines[1]).toBe('  FAIL  the goal scores 7');
    expect(lines[2]).toBe(`${path}: /tests/1: scoring.indicator: expected 7, got 6.67`);
    expect(lines).toContainEqual(
      expect.stringContaining('clamp(6.666666666666667, 0, 10) → 6.666666666666667'),
    );
    expect(lines.at(-1)).toBe(`${path}: 1 of 2 tests pass`);
  });
});

describe('covenant rules eval and explain', () => {
  const data = JSON.stringify({ actual: 83, baseline: 78, target: 85, direction: 'higher' });

  it('evaluates one slot on data given inline or in a file', async () => {
    expect(
      await covenant('eval', library('percent'), '--slot', 'scoring.indicator', '--data', data),
    ).toMatchObject({
      code: 0,
      stdout: '81.43\n',
    });
    const dataFile = file('facts.json', { grade: 'Fair' });
    const fired = await covenant(
      'eval',
      library('default'),
      '--slot',
      'escalations.fair-or-poor',
      '--data-file',
      dataFile,
    );
    expect(fired).toMatchObject({ code: 0, stdout: 'true\n' });
  });

  it('explains a result step by step', async () => {
    const result = await covenant(
      'explain',
      library('percent'),
      '--slot',
      'scoring.indicator',
      '--data',
      data,
    );
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('(root): no condition holds, so the else /if/2 → 81.43');
    expect(lines).toContain('  /if/0: actual (83) == null → false');
    expect(lines.at(-1)).toBe('= 81.43');
  });

  it('names the slots when asked for one that does not exist (exit 2)', async () => {
    const result = await covenant('eval', library('default'), '--slot', 'escalations.fair', '--data', '{}');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("has no rule at slot 'escalations.fair'; its slots: scoring.indicator,");
    expect(result.stderr).toContain('escalations.fair-or-poor');
    const missing = await covenant('eval', library('default'), '--data', '{}');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^--slot is required\./);
  });
});

describe('covenant rules simulate', () => {
  it('re-scores exported contract states and reports what changes', async () => {
    const defaults = findBuiltInRuleSet('default', 1)!;
    const indicators = [
      { id: 'imm', name: 'Immunised', direction: 'higher' as const, baseline: 78, target: 85, weight: 40 },
      {
        id: 'mmr',
        name: 'Maternal deaths',
        direction: 'lower' as const,
        baseline: 310,
        target: 280,
        weight: 60,
      },
    ];
    const actuals = { imm: 85, mmr: 277.2 };
    const reviewed = scorePeriod(defaults, indicators, actuals, 'Q1');
    const state = {
      id: 'PC-1',
      title: 'County health',
      revisions: [{ number: 1, indicators }],
      periods: [
        {
          id: 'Q1',
          revision: 1,
          report: { actuals, submittedAt: '2026-01-10T00:00:00Z', late: false },
          moderations: [],
          review: { ...reviewed, reviewedAt: '2026-01-10T00:00:00Z', revision: 1 },
        },
      ],
    } as unknown as ContractState;
    const contracts = file('contracts.json', [state]);
    // The draft: Very Good ends at 2.80, so 2.94 becomes Good.
    const draft = structuredClone(defaults);
    draft.scoring.grade = {
      if: [
        { '<=': [{ var: 'composite' }, 2.4] },
        'Excellent',
        { '<=': [{ var: 'composite' }, 2.8] },
        'Very Good',
        { '<=': [{ var: 'composite' }, 3.6] },
        'Good',
        { '<=': [{ var: 'composite' }, 4] },
        'Fair',
        'Poor',
      ],
    };
    delete draft.tests;
    const path = file('stricter.json', draft);

    const result = await covenant('simulate', path, '--contracts', contracts);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      `${path} over 1 contract, 1 period:`,
      '  grades changed: 1 (better 0, worse 1); same 0; never reviewed 0; failed 0',
      '  escalations changed: 0',
      '  grades before: Very Good 1',
      '  grades after:  Good 1',
      '  mean score: 2.94 -> 2.94',
      'Changes:',
      '  PC-1 Q1: Very Good (2.94) -> Good (2.94)',
    ]);
    const json = await covenant('simulate', path, '--contracts', contracts, '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ summary: { worse: 1 }, contracts: [{ id: 'PC-1' }] });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
