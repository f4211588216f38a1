// The official JSON-Logic suite (280 cases), run through the compiler and through the interpreter.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluate, explain, interpret } from '../../rules/engine/index.js';

type Case = [rule: unknown, data: unknown, expected: unknown];

const suite = JSON.parse(
  readFileSync(new URL('../fixtures/jsonlogic/tests.json', import.meta.url), 'utf8'),
) as (Case | string)[];

// Section comments are bare strings; each case is labelled with its section and index.
const cases: { name: string; rule: unknown; data: unknown; expected: unknown }[] = [];
let section = '';
for (const entry of suite) {
  if (typeof entry === 'string') section = entry;
  else
    cases.push({
      name: `${section} #${cases.length}: ${JSON.stringify(entry[0])}`,
      rule: entry[0],
      data: entry[1],
      expected: entry[2],
    });
}

describe('JSON-Logic conformance suite', () => {
  it('has the 280 official cases', () => {
    expect(cases).toHaveLength(280);
  });

  describe('compiled (evaluate)', () => {
    it.each(cases)('$name', ({ rule, data, expected }) => {
      expect(evaluate(rule, data)).toEqual(expected);
    });
  });

  describe('interpreted (interpret)', () => {
    it.each(cases)('$name', ({ rule, data, expected }) => {
      expect(interpret(rule, data)).toEqual(expected);
    });
  });

  describe('explained (the root of the trace carries the result)', () => {
    it.each(cases)('$name', ({ rule, data, expected }) => {
      expect(explain(rule, data)[0]!.output).toEqual(expected);
    });
  });
});
