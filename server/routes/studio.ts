// The rule studio's first editors, for the performance office: a new rule set from a published
// one, the grade bands edited as a table (gaps and overlaps refused with the row named, a preview
// of what each composite is graded), and publication. Every save is the API's save (its test cases
// run, the draft's revision checked as If-Match), so two officers cannot overwrite each other.
import { Router, type Request, type Response } from 'express';
import type { Issue } from '../../model/errors.js';
import type { GradeBands, RuleSetDraft } from '../../model/ruleset.js';
import { bandProblems, bandRanges, bandsOf, compileBands } from '../../rules/grade-bands.js';
import { principalOf } from '../auth/access.js';
import { statusOf, toCovenantError } from '../errors.js';
import type { Pages } from '../pages.js';
import { fieldErrors } from '../form-values.js';
import { findPublishedVersion, findRuleSet, saveDraft } from '../ruleset-registry.js';
import { editableDraft, editorOf, saveEdit, withoutVersion, type StudioDeps } from '../studio-drafts.js';
import { publishOrAsk, type PublicationDeps } from '../ruleset-publication.js';

type Body = Record<string, string | undefined>;

/** Empty rows the grade table offers for new bands. */
const SPARE_ROWS = 2;

export function studioRoutes(deps: StudioDeps & { publication: PublicationDeps }, pages: Pages): Router {
  const { client } = deps;
  const router = Router();
  const by = (req: Request) => editorOf(principalOf(req));

  // A new rule set: a copy of a published version under a new id and name, saved as its draft.
  router.post('/rulesets/new', async (req, res) => {
    const body = (req.body ?? {}) as Body;
    const [fromId, fromVersion] = (body.from ?? '').split('@');
    const id = body.id?.trim() ?? '';
    const name = body.name?.trim() ?? '';
    const source = fromId ? await findPublishedVersion(client, fromId, Number(fromVersion)) : undefined;
    const back = `/rulesets/${encodeURIComponent(fromId ?? '')}?version=${Number(fromVersion)}`;
    const refuse = (message: string) =>
      pages.send(res, 400, 'message', {
        heading: 'No new rule set',
        message,
        link: { href: back, text: 'Back' },
        bad: true,
      });
    if (!source) return refuse(`There is no published version ${body.from ?? ''} to start from.`);
    if (!/^[a-z0-9][a-z0-9._-]{0,99}$/.test(id))
      return refuse(
        'Give the new rule set an id of lower-case letters, digits, dots and dashes, e.g. county-2028.',
      );
    if (!name) return refuse('Give the new rule set a name.');
    if (await findRuleSet(client, id)) return refuse(`A rule set '${id}' exists already: choose another id.`);
    try {
      await saveDraft(
        client,
        deps.taskQueue,
        { ...withoutVersion(source.ruleSet), id, name },
        by(req),
        deps.runner,
        0,
      );
    } catch (err) {
      const refused = toCovenantError(err);
      if (!refused || statusOf(refused) >= 500) throw err;
      return refuse(refused.issues.map((i) => i.message).join(' '));
    }
    res.redirect(303, `/rulesets/${encodeURIComponent(id)}?draft=1`);
  });

  router.get('/rulesets/:id/grades', (req, res) => showGrades(req, res, 200));

  router.post('/rulesets/:id/grades', async (req, res) => {
    const id = String(req.params.id);
    const body = (req.body ?? {}) as Body;
    const bands = bandsIn(body);
    const problems = bandProblems(bands);
    if (problems.length > 0) return showGrades(req, res, 400, bands, problems);
    const { document, revision } = await editableDraft(client, id);
    const draft: RuleSetDraft = {
      ...document,
      scoring: {
        ...document.scoring,
        grade: compileBands(bands),
        grades: [...bands.bands.map((b) => b.grade), bands.otherwise],
      },
      studio: { ...document.studio, grade: bands },
    };
    try {
      await saveEdit(deps, draft, by(req), body.revision ?? revision);
    } catch (err) {
      const refused = toCovenantError(err);
      if (!refused || statusOf(refused) >= 500) throw err;
      return showGrades(req, res, statusOf(refused), bands, refused.issues);
    }
    res.redirect(303, `/rulesets/${encodeURIComponent(id)}?draft=1&done=saved`);
  });

  router.post('/rulesets/:id/publish', async (req, res) => {
    const id = String(req.params.id);
    const body = (req.body ?? {}) as Body;
    const note = body.note?.trim();
    try {
      const done = await publishOrAsk(
        deps.publication,
        id,
        by(req),
        note || undefined,
        Number(body.revision),
      );
      res.redirect(
        303,
        'published' in done
          ? `/rulesets/${encodeURIComponent(id)}?version=${done.published.version}&done=published`
          : `/rulesets/${encodeURIComponent(id)}?draft=1&done=requested`,
      );
    } catch (err) {
      const refused = toCovenantError(err);
      if (!refused || statusOf(refused) >= 500) throw err;
      pages.send(res, statusOf(refused), 'message', {
        heading: 'Not published',
        message: refused.issues.map((i) => `${i.pointer ? `${i.pointer}: ` : ''}${i.message}`).join(' '),
        link: { href: `/rulesets/${encodeURIComponent(id)}?draft=1`, text: 'Back to the draft' },
        bad: true,
      });
    }
  });

  async function showGrades(
    req: Request,
    res: Response,
    status: number,
    posted?: GradeBands,
    issues: Issue[] = [],
  ) {
    const id = String(req.params.id);
    const { document, revision } = await editableDraft(client, id);
    const bands = posted ?? bandsOf(document.scoring.grade, document.studio?.grade);
    if (!bands) {
      return pages.send(res, 200, 'message', {
        heading: 'These grades are written as a rule',
        message:
          'The grade rule of this rule set is not a table of bands (it was written or edited as JSON-Logic), so it stays as it is written: edit it raw.',
        link: { href: `/rulesets/${encodeURIComponent(id)}?draft=1`, text: 'Back to the rule set' },
      });
    }
    const { fields: errors, general } = fieldErrors(issues, /^\/(bands\/\d+\/(?:grade|limit)|otherwise)$/);
    const rows = [
      ...bands.bands,
      ...Array.from({ length: posted ? 0 : SPARE_ROWS }, () => ({ grade: '', limit: NaN })),
    ];
    pages.send(res, status, 'ruleset-grades', {
      id,
      name: document.name,
      revision,
      comparison: bands.comparison,
      otherwise: bands.otherwise,
      otherwiseError: errors.get('otherwise'),
      general,
      rows: rows.map((b, i) => ({
        index: i,
        row: i + 1,
        grade: b.grade,
        limit: Number.isFinite(b.limit) ? String(b.limit) : '',
        gradeError: errors.get(`bands/${i}/grade`),
        limitError: errors.get(`bands/${i}/limit`),
      })),
      ranges: bandProblems(bands).length === 0 ? bandRanges(bands) : [],
    });
  }

  return router;
}

/** The table as posted: filled rows in order (a row left empty is dropped), the comparison kept. */
function bandsIn(body: Body): GradeBands {
  const bands: GradeBands['bands'] = [];
  for (let i = 0; i < 20; i++) {
    const grade = body[`grade.${i}`]?.trim() ?? '';
    const limit = body[`limit.${i}`]?.trim() ?? '';
    if (!grade && !limit) continue;
    bands.push({ grade, limit: limit === '' ? NaN : Number(limit.replace(',', '.')) });
  }
  return {
    kind: 'bands',
    comparison: body.comparison === '>=' ? '>=' : '<=',
    bands,
    otherwise: body.otherwise?.trim() ?? '',
  };
}
