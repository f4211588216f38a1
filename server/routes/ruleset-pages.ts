// The rule sets in the browser, in words: every published version and the draft, each rule read
// as a sentence (rules/sentences.ts) beside the settings it holds, so a performance officer, a
// manager or a unit can see how they are judged without reading JSON-Logic.
import { describeTable, tableOf } from '../../rules/criteria-table.js';
import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { CovenantError } from '../../model/errors.js';
import type { RuleSet, RuleSetDraft } from '../../model/ruleset.js';
import { describeChoice, describeCondition, describeRule } from '../../rules/sentences.js';
import type { Pages } from '../pages.js';
import { ruleSetChanges } from '../ruleset-diff.js';
import { findPublishedVersion, findRuleSet, listRuleSets } from '../ruleset-registry.js';

export function ruleSetPageRoutes(client: Client, taskQueue: string, pages: Pages, fourEyes = false): Router {
  const router = Router();

  router.get('/rulesets', async (_req, res) => {
    pages.send(res, 200, 'rulesets', { ruleSets: await listRuleSets(client, taskQueue) });
  });

  router.get('/rulesets/:id', async (req, res) => {
    const { id } = req.params;
    const view = await findRuleSet(client, id);
    if (!view) throw new CovenantError('not-found', [{ pointer: '', message: `No rule set '${id}'` }]);
    const asked = typeof req.query.version === 'string' ? Number(req.query.version) : undefined;
    const showDraft = req.query.draft === '1' || (asked === undefined && view.versions.length === 0);
    const version = showDraft ? undefined : (asked ?? view.versions.at(-1)?.version);
    const published = version === undefined ? undefined : await findPublishedVersion(client, id, version);
    const ruleSet: RuleSetDraft | undefined = showDraft ? view.draft?.ruleSet : published?.ruleSet;
    if (!ruleSet) {
      throw new CovenantError('not-found', [
        {
          pointer: '',
          message: showDraft ? `'${id}' has no draft` : `'${id}' has no version ${String(asked)}`,
        },
      ]);
    }
    // A draft is shown with what it changes against the latest version.
    const latest = view.versions.at(-1);
    const base =
      showDraft && latest ? (await findPublishedVersion(client, id, latest.version))?.ruleSet : undefined;
    pages.send(res, 200, 'ruleset', {
      id,
      view,
      shown: showDraft ? { draft: view.draft } : { version, published },
      ruleSet,
      words: inWords(ruleSet),
      changes: base && { version: base.version, ...ruleSetChanges(base, ruleSet, sentencesOf) },
      fourEyes,
      done:
        req.query.done === 'requested'
          ? 'Publication asked for: the other admins are emailed a link to approve it.'
          : req.query.done === 'saved'
            ? 'The draft is saved; its test cases ran.'
            : req.query.done === 'published'
              ? 'Published: new contracts may now be pinned to this version.'
              : undefined,
    });
  });

  return router;
}

/** A rule set in words, one line each, named by its part: what a diff compares. */
function sentencesOf(ruleSet: RuleSetDraft | RuleSet): string[] {
  const words = inWords(ruleSet);
  return [
    ...words.score.map((s) => `Score: ${s}`),
    ...words.composite.map((s) => `Composite: ${s}`),
    ...words.grade.map((s) => `Grade: ${s}`),
    ...words.guards.map((g) => `Guard ${g.id}: ${g.holds} (${g.message})`),
    ...words.escalations.map(
      (e) =>
        `Escalation ${e.id}: ${e.when} ${e.severity}, tells ${e.notify.join(', ')}: ${e.message}${e.corrective ? ` Corrective action within ${e.corrective.withinDays} days.` : ''}`,
    ),
    ...ruleSet.ladder.steps.map(
      (s) =>
        `Ladder ${s.id}: ${s.offsetDays} days from the due day, tells ${s.notify.join(', ')}${s.flagLate ? ', flags late' : ''}`,
    ),
    `Approval links work ${ruleSet.approvals.expiresAfterDays} days, reminded ${ruleSet.approvals.reminderDaysBefore} days before.`,
    `Moderation window ${ruleSet.moderation.windowDays} days.`,
    ...words.renewal.map((s) => `Renewal: ${s}`),
    ...(ruleSet.tests ?? []).map((t) => `Test case: ${t.description} (${t.slot})`),
  ];
}

/** A criteria table reads as its rows; any other indicator rule as what it is written as. */
function scoreWords(ruleSet: RuleSetDraft | RuleSet): string[] {
  const table = tableOf(ruleSet.scoring.indicator, ruleSet.studio?.indicator);
  return table ? describeTable(table) : describeChoice(ruleSet.scoring.indicator, "an indicator's score");
}

/** Each part of a rule set as sentences. */
export function inWords(ruleSet: RuleSetDraft | RuleSet) {
  const { scoring } = ruleSet;
  return {
    score: scoreWords(ruleSet),
    composite: describeChoice(scoring.composite, 'the composite'),
    grade: describeChoice(scoring.grade, 'the grade'),
    criteria: Object.entries(scoring.criteria ?? {}).map(([name, meaning]) => ({ name, meaning })),
    guards: ruleSet.guards.map((g) => ({
      ...g,
      holds: `${g.scope === 'contract' ? 'The terms pass when' : 'Each indicator passes when'} ${describeRule(g.rule)}.`,
    })),
    escalations: ruleSet.escalations.map((e) => ({ ...e, when: describeCondition(e.when) })),
    renewal: describeChoice(ruleSet.renewal.target, "next year's target"),
    suggest: ruleSet.targets ? describeChoice(ruleSet.targets.suggest, 'the suggested target') : undefined,
  };
}
