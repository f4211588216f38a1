// Validation that teaches: what the author of a rule set is told, with pointers into the document.
import { describe, expect, it } from 'vitest';
import type { RuleSet, RuleSetDraft } from '../../model/ruleset.js';
import { findBuiltInRuleSet } from '../../rules/library/index.js';
import { schemaErrors, validateRuleSetDocument } from '../../rules/ruleset-validation.js';

const base = (): RuleSet => structuredClone(findBuiltInRuleSet('default', 1)!);

const lines = (document: unknown, severity: 'error' | 'warning' = 'error'): string[] =>
  validateRuleSetDocument(document)
    .diagnostics.filter((d) => d.severity === severity)
    .map((d) => `${d.pointer}: ${d.message}`);

describe('rule set validation', () => {
  it('finds nothing wrong with the built-in rule sets, and runs all their test cases', () => {
    for (const id of ['default', 'percent', 'threshold']) {
      const result = validateRuleSetDocument(findBuiltInRuleSet(id, 1), { published: true });
      expect(result.diagnostics).toEqual([]);
      expect(result.valid).toBe(true);
      expect(result.tests.run).toBeGreaterThan(20);
      expect(result.tests.passed).toBe(result.tests.run);
    }
  });

  it('points schema errors into the document and suggests the field meant', () => {
    const doc = base() as unknown as Record<string, unknown>;
    delete doc.tests;
    delete doc.name;
    doc.escalation = doc.escalations;
    delete doc.escalations;
    (doc.ladder as { steps: { offsetDays: unknown }[] }).steps[1]!.offsetDays = 'soon';
    (doc.scoring as Record<string, unknown>).aggregation = 'median';
    expect(lines(doc)).toEqual([
      '/name: is required',
      '/escalations: is required',
      "/escalation: is not a known field; did you mean 'escalations'?",
      '/scoring/aggregation: must be one of "sum", "mean", "last", "max"',
      '/ladder/steps/1/offsetDays: must be integer',
    ]);
  });

  it('says what a valid id looks like rather than printing a regular expression', () => {
    const doc = base();
    doc.guards[0]!.id = 'weights sum';
    expect(lines(doc)).toContain(
      "/guards/0/id: must be 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or a digit",
    );
  });

  it("checks every rule against the variables of its slot, with the slot's pointer in front", () => {
    const doc = base();
    doc.scoring.indicator = { if: [{ '==': [{ var: 'actaul' }, null] }, 5, { var: 'target' }] };
    doc.scoring.composite = { pow: [2, 3] };
    doc.escalations[0]!.when = { '<': [{ var: 'composit' }, 3] };
    doc.guards[2]!.rule = { '>': [{ var: 'indicators.length' }, 0] };
    const errors = lines(doc);
    expect(errors).toContain(
      "/scoring/indicator/if/0/==/0: unknown variable 'actaul'; did you mean 'actual'?",
    );
    expect(errors).toContainEqual(
      expect.stringMatching(
        /^\/scoring\/composite: unknown operator "pow"; allowed: var missing .* interpolate/,
      ),
    );
    expect(errors).toContain(
      "/escalations/0/when/</0: unknown variable 'composit'; did you mean 'composite'?",
    );
    // guards[2] runs once per indicator: it sees the indicator's fields, not the list.
    expect(errors).toContainEqual(
      expect.stringMatching(/^\/guards\/2\/rule\/>\/0: unknown variable 'indicators.length'/),
    );
  });

  it('warns when missing data could pass for success, and a warning does not block publishing', () => {
    const doc = base();
    delete doc.tests;
    doc.escalations[0]!.when = {
      some: [{ var: 'indicators' }, { '<': [{ var: 'actual' }, { '*': [{ var: 'target' }, 0.5] }] }],
    };
    const result = validateRuleSetDocument(doc);
    expect(result.valid).toBe(true);
    expect(lines(doc, 'warning')).toEqual([
      expect.stringMatching(
        /^\/escalations\/0\/when\/some\/1: 'actual' can be null \(missing data\)\. In JSON-Logic comparisons treat null as 0/,
      ),
    ]);
  });

  it('asks for criteria values to be declared before a rule reads them', () => {
    const doc = base();
    delete doc.scoring.criteria;
    expect(lines(doc)).toEqual([
      expect.stringMatching(
        /^\/scoring\/indicator\/if\/2\/round\/0\/interpolate\/1\/0\/0: reads 'criteria.poor', but scoring.criteria declares no criteria values: declare "poor" there/,
      ),
      expect.stringMatching(/^\/scoring\/indicator\/.*: reads 'criteria.excellent'/),
    ]);
    const declared = base();
    declared.scoring.criteria = { poor: 'the value scoring 5.00', excelent: 'misspelt' };
    expect(lines(declared)).toContainEqual(
      expect.stringMatching(/unknown variable 'criteria.excellent'; did you mean 'criteria.excelent'\?/),
    );
  });

  it("reports a failing test case at /tests/<i> with expected and actual, and the rule's run", () => {
    const doc = base();
    doc.tests = [
      ...doc.tests!,
      {
        description: 'the target scores 2.00',
        slot: 'scoring.indicator',
        data: { actual: 85, baseline: 78, target: 85, direction: 'higher' },
        expect: 2,
      },
      {
        description: 'Fair escalates',
        slot: 'escalations.fair-or-poorr',
        data: { grade: 'Fair' },
        expect: true,
      },
    ];
    const n = doc.tests.length;
    const result = validateRuleSetDocument(doc);
    expect(result.valid).toBe(false);
    expect(result.tests).toEqual({ run: n, passed: n - 2 });
    const failures = result.diagnostics.filter((d) => d.pointer.startsWith('/tests/'));
    expect(failures.map((d) => [d.pointer, d.message])).toEqual([
      [`/tests/${n - 2}`, 'test "the target scores 2.00" (scoring.indicator) failed: expected 2, got 3'],
      [
        `/tests/${n - 1}`,
        "test \"Fair escalates\" (escalations.fair-or-poorr) failed: there is no rule at slot 'escalations.fair-or-poorr'; did you mean 'escalations.fair-or-poor'?",
      ],
    ]);
    expect(failures[0]!.trace).toContainEqual(expect.stringContaining('interpolate(actual (85)'));
  });

  it('treats a guard or escalation test as "passes / fires" by JSON-Logic truthiness', () => {
    const doc = base();
    doc.escalations[0]!.when = { filter: [{ var: 'indicators' }, { '>': [{ var: 'score' }, 4] }] };
    doc.tests = [
      {
        description: 'an indicator above 4 fires',
        slot: 'escalations.fair-or-poor',
        data: { indicators: [{ id: 'a', score: 4.5 }] },
        expect: true,
      },
      {
        description: 'none above 4 does not',
        slot: 'escalations.fair-or-poor',
        data: { indicators: [{ id: 'a', score: 3 }] },
        expect: false,
      },
    ];
    expect(validateRuleSetDocument(doc).tests).toEqual({ run: 2, passed: 2 });
  });

  it('refuses duplicate ids and a reminder that would go out with the request', () => {
    const doc = base();
    doc.escalations.push({ ...doc.escalations[0]! });
    doc.approvals.reminderDaysBefore = 14;
    expect(lines(doc)).toEqual([
      "/escalations/1/id: duplicates the id 'fair-or-poor' of /escalations/0: ids name records and test slots, so each must be unique",
      '/approvals/reminderDaysBefore: must be less than expiresAfterDays (14): the reminder would go out with the request itself',
    ]);
  });

  it('lets a draft leave out its version, but not a published version', () => {
    const draft: RuleSetDraft = base();
    delete draft.version;
    expect(schemaErrors(draft)).toEqual([]);
    expect(schemaErrors(draft, { published: true })).toEqual([
      { severity: 'error', pointer: '/version', message: 'is required' },
    ]);
  });

  it('names a bad criteria name and a bad test slot in words', () => {
    const doc = base();
    doc.scoring.criteria = { 'very good': 'x' };
    doc.tests = [{ description: 'x', slot: 'scoring', data: {}, expect: 1 }];
    expect(lines(doc)).toEqual(
      expect.arrayContaining([
        "/scoring/criteria/very good: is not a valid criteria name: letters, digits and '_', starting with a letter, at most 50",
        '/tests/0/slot: must name a slot: scoring.indicator, scoring.composite, scoring.grade, renewal.target, guards.<id> or escalations.<id>',
      ]),
    );
  });
});

describe('probes: rules run on ordinary inputs of their slot before publishing', () => {
  const withRule = (change: (doc: RuleSet) => void): RuleSet => {
    const doc = base();
    change(doc);
    return doc;
  };

  it('refuses an indicator rule that returns null for a missing figure', () => {
    const found = lines(withRule((d) => (d.scoring.indicator = { var: 'actual' })));
    expect(found).toContainEqual(
      expect.stringMatching(
        /^\/scoring\/indicator: The indicator rule returns null, not a number, when .* actual is null$/,
      ),
    );
  });

  it('refuses a grade name too long to keep, and a grade that is not a name', () => {
    const long = lines(
      withRule((d) => (d.scoring.grade = { cat: ['x', { substr: ['y'.repeat(2500), 0] }] })),
    );
    expect(long.join('\n')).toMatch(
      /\/scoring\/grade: The grade rule returns a grade name of 2501 characters \(at most 100\)/,
    );
    const numeric = lines(withRule((d) => (d.scoring.grade = { var: 'composite' })));
    expect(numeric.join('\n')).toMatch(/\/scoring\/grade: The grade rule returns 0, not a grade name/);
  });

  it('refuses rules that do too much work on ordinary data, at the operation that does it', () => {
    const doubling = {
      reduce: [[...Array(19).keys()], { merge: [{ var: 'accumulator' }, { var: 'accumulator' }] }, [1]],
    };
    const found = lines(
      withRule((d) => {
        d.escalations[0]!.when = { '!': doubling };
      }),
    );
    expect(found.join('\n')).toMatch(
      /^\/escalations\/0\/when\/!\/reduce\/1: The escalation fair-or-poor does too much work for a review/m,
    );
  });

  it('refuses a renewal rule that gives no target when nothing was reported', () => {
    const found = lines(withRule((d) => (d.renewal.target = { '*': [{ var: 'actual' }, 1.05] })));
    expect(found.join('\n')).toMatch(
      /\/renewal\/target: The renewal rule returns 0|\/renewal\/target: The renewal rule returns null/,
    );
  });
});
