// What the rule studio's editors start from and save: the rule set's draft (or, before any, its
// latest published version), and the save, whose If-Match is the draft revision the page showed.
import type { Client } from '@temporalio/client';
import { CovenantError } from '../model/errors.js';
import type { RuleSet, RuleSetDraft } from '../model/ruleset.js';
import type { RuleRunner } from './rule-runner/index.js';
import { findPublishedVersion, findRuleSet, saveDraft } from './ruleset-registry.js';

export interface StudioDeps {
  client: Client;
  taskQueue: string;
  runner: RuleRunner;
}

/** Who edits or publishes, as the rule set's record names them: "Name <email>" for a person. */
export function editorOf(principal: { name: string; email?: string } | undefined): string | undefined {
  return principal && (principal.email ? `${principal.name} <${principal.email}>` : principal.name);
}

/** The draft (or, before any, the latest version) an edit starts from, and its revision (0: none). */
export async function editableDraft(
  client: Client,
  id: string,
): Promise<{ document: RuleSetDraft; revision: number }> {
  const view = await findRuleSet(client, id);
  if (!view) throw new CovenantError('not-found', [{ pointer: '', message: `No rule set '${id}'` }]);
  if (view.draft) return { document: view.draft.ruleSet, revision: view.draft.revision };
  const latest = view.versions.at(-1);
  const published = latest && (await findPublishedVersion(client, id, latest.version));
  if (!published)
    throw new CovenantError('not-found', [{ pointer: '', message: `'${id}' has nothing to edit` }]);
  return { document: withoutVersion(published.ruleSet), revision: 0 };
}

/** Saves an edit made from draft revision `from` (a page's hidden field): 412 when another save came between. */
export async function saveEdit(
  deps: StudioDeps,
  draft: RuleSetDraft,
  by: string | undefined,
  from: unknown,
): Promise<void> {
  const revision = Number(from);
  await saveDraft(
    deps.client,
    deps.taskQueue,
    draft,
    by,
    deps.runner,
    Number.isInteger(revision) ? revision : -1,
  );
}

/** A version's content as a draft (publishing gives it its own number). */
export function withoutVersion({ version: _, ...content }: RuleSet): RuleSetDraft {
  return content;
}
