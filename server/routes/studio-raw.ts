// Raw JSON-Logic, for what the tables and templates do not cover: one rule of the draft in a text
// area, with what it decides, what it must return and the variables it may read (its slot's), the
// rule in words, and the validator's diagnostics, each at its pointer inside the rule. "Check"
// saves nothing; "Save" saves the draft even with errors (publishing refuses them).
import { Router, type Request, type Response } from 'express';
import type { RuleSetDraft } from '../../model/ruleset.js';
import { SLOT_CONTEXTS, slotsOf, type Slot } from '../../rules/ruleset-slots.js';
import { describeRule } from '../../rules/sentences.js';
import { principalOf } from '../auth/access.js';
import { statusOf, toCovenantError } from '../errors.js';
import type { Pages } from '../pages.js';
import { editableDraft, editorOf, saveEdit, type StudioDeps } from '../studio-drafts.js';

type Body = Record<string, string | undefined>;

export function studioRawRoutes(deps: StudioDeps, pages: Pages): Router {
  const router = Router();

  router.get('/rulesets/:id/raw', (req, res) => show(req, res, 200));

  router.post('/rulesets/:id/raw', async (req, res) => {
    const id = String(req.params.id);
    const body = (req.body ?? {}) as Body;
    const { document, revision } = await editableDraft(deps.client, id);
    const slot = slotsOf(document).find((s) => s.ref === body.slot);
    if (!slot)
      return show(req, res, 400, { text: body.rule ?? '', problems: ['Choose a rule of this rule set.'] });
    let rule: unknown;
    try {
      rule = JSON.parse(body.rule ?? '');
    } catch (err) {
      return show(req, res, 400, {
        text: body.rule ?? '',
        problems: [`Not JSON: ${(err as Error).message}.`],
      });
    }
    const draft = withRule(document, slot.pointer, rule);
    const validation = await deps.runner.validate(draft);
    const mine = validation.diagnostics.filter(
      (d) => d.pointer === slot.pointer || d.pointer.startsWith(`${slot.pointer}/`),
    );
    const problems = mine.map(
      (d) =>
        `${d.severity}${d.pointer === slot.pointer ? '' : ` at ${d.pointer.slice(slot.pointer.length)}`}: ${d.message}`,
    );
    if (body.action !== 'save')
      return show(req, res, 200, { text: body.rule ?? '', problems, checked: true });
    try {
      await saveEdit(deps, draft, editorOf(principalOf(req)), body.revision ?? revision);
    } catch (err) {
      const refused = toCovenantError(err);
      if (!refused || statusOf(refused) >= 500) throw err;
      return show(req, res, statusOf(refused), {
        text: body.rule ?? '',
        problems: refused.issues.map((i) => i.message),
      });
    }
    res.redirect(303, `/rulesets/${encodeURIComponent(id)}/raw?slot=${encodeURIComponent(slot.ref)}&saved=1`);
  });

  async function show(
    req: Request,
    res: Response,
    status: number,
    posted?: { text: string; problems: string[]; checked?: boolean },
  ) {
    const id = String(req.params.id);
    const { document, revision } = await editableDraft(deps.client, id);
    const slots = slotsOf(document);
    const asked =
      (req.body as Body | undefined)?.slot ??
      (typeof req.query.slot === 'string' ? req.query.slot : undefined);
    const slot: Slot | undefined = slots.find((s) => s.ref === asked) ?? slots[0];
    const context = slot && SLOT_CONTEXTS[slot.kind];
    let words: string | undefined;
    try {
      words = posted ? describeRule(JSON.parse(posted.text)) : slot && describeRule(slot.rule);
    } catch {
      words = undefined;
    }
    pages.send(res, status, 'ruleset-raw', {
      id,
      name: document.name,
      revision,
      saved: req.query.saved === '1',
      slots: slots.map((s) => ({ ref: s.ref, selected: s.ref === slot?.ref })),
      slot,
      context: context && {
        summary: context.summary,
        returns: context.returns,
        variables: Object.entries(context.variables).map(([name, spec]) => ({
          name,
          description: spec.description ?? '',
        })),
      },
      text: posted?.text ?? JSON.stringify(slot?.rule ?? null, null, 2),
      words,
      problems: posted?.problems ?? [],
      checked: posted?.checked === true,
    });
  }

  return router;
}

/** The draft with the rule at `pointer` (a slot's, e.g. /guards/0/rule) replaced. */
function withRule(document: RuleSetDraft, pointer: string, rule: unknown): RuleSetDraft {
  const copy = structuredClone(document) as unknown as Record<string, unknown>;
  const path = pointer.split('/').slice(1);
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[path.at(-1)!] = rule;
  return copy as unknown as RuleSetDraft;
}
