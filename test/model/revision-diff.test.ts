import { describe, expect, it } from 'vitest';
import type { Indicator } from '../../model/contract.js';
import { diffIndicators } from '../../model/revision-diff.js';

const base: Indicator = { id: 'imm', name: 'Immunised', direction: 'higher', baseline: 78, target: 85, weight: 50 };

describe('revision diffs', () => {
  it('names indicators added and removed, and each field changed with its old and new value', () => {
    const before = [base, { ...base, id: 'old', weight: 50 }];
    const after = [{ ...base, target: 83, criteria: { excellent: 95 } }, { ...base, id: 'new', weight: 50 }];
    expect(diffIndicators(before, after)).toEqual({
      added: ['new'],
      removed: ['old'],
      changed: [
        { indicator: 'imm', field: 'target', from: 85, to: 83 },
        { indicator: 'imm', field: 'criteria', from: null, to: { excellent: 95 } },
      ],
    });
  });

  it('sees no change in criteria tables with the same content', () => {
    const a = [{ ...base, criteria: { excellent: 95, poor: 70 } }];
    const b = [{ ...base, criteria: { excellent: 95, poor: 70 } }];
    expect(diffIndicators(a, b)).toEqual({ added: [], removed: [], changed: [] });
  });
});
