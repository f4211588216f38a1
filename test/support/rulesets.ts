// Rule sets for tests: the built-in default with changes, published through the API.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Stack } from '../../cli/stack.js';
import { projectRoot } from '../../cli/temporal-binaries.js';
import { api } from './stack.js';

/** The built-in default as a draft of another id, changed by `change`. */
export function defaultDraft(
  id: string,
  change: (draft: Record<string, unknown>) => void = () => {},
): Record<string, unknown> {
  const draft = JSON.parse(
    readFileSync(join(projectRoot, 'rules', 'library', 'default.json'), 'utf8'),
  ) as Record<string, unknown>;
  delete draft.version;
  draft.id = id;
  change(draft);
  return draft;
}

/** Saves and publishes a draft as version 1 of its id. */
export async function publishRuleSet(stack: Stack, draft: Record<string, unknown>): Promise<void> {
  expect((await api(stack, 'POST', '/api/v1/rulesets', draft)).status).toBe(201);
  expect((await api(stack, 'POST', `/api/v1/rulesets/${String(draft.id)}/publish`, {})).status).toBe(201);
}

/** The default whose one escalation, on a Fair or Poor grade, asks the unit for a corrective action within 10 days. */
export function correctiveDraft(id: string): Record<string, unknown> {
  return defaultDraft(id, (draft) => {
    draft.escalations = [
      {
        id: 'fair-or-poor',
        when: { in: [{ var: 'grade' }, ['Fair', 'Poor']] },
        severity: 'high',
        notify: ['managers'],
        message: 'Graded Fair or Poor: the unit adds a corrective action.',
        corrective: { withinDays: 10 },
      },
    ];
  });
}
