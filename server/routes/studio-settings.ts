// The rule studio's settings: the reporting ladder as a table (each step's day from the due day,
// who is told, which email, whether it marks the report late), and the approval and moderation
// numbers. Rows are checked as the schema checks them, each refusal at its row; the draft is saved
// as every studio edit is (its test cases run, its revision as If-Match).
import { Router, type Request, type Response } from 'express';
import type { Issue } from '../../model/errors.js';
import type { LadderStep, Recipient, RuleSetDraft } from '../../model/ruleset.js';
import { principalOf } from '../auth/access.js';
import { statusOf, toCovenantError } from '../errors.js';
import type { Pages } from '../pages.js';
import { fieldErrors, many, one } from '../form-values.js';
import { editableDraft, editorOf, saveEdit, type StudioDeps } from '../studio-drafts.js';

type Body = Record<string, string | string[] | undefined>;

const RECIPIENTS: Recipient[] = ['unit', 'unit-head', 'principal', 'managers'];
const TEMPLATES: LadderStep['template'][] = ['report-reminder', 'late-notice', 'late-escalation'];
/** Rows the ladder table offers: the steps there are, and spare ones up to this many. */
const ROWS = 8;

interface Settings {
  steps: LadderStep[];
  expiresAfterDays: number;
  reminderDaysBefore: number;
  windowDays: number;
}

export function studioSettingsRoutes(deps: StudioDeps, pages: Pages): Router {
  const router = Router();

  router.get('/rulesets/:id/settings', (req, res) => show(req, res, 200));

  router.post('/rulesets/:id/settings', async (req, res) => {
    const id = String(req.params.id);
    const body = (req.body ?? {}) as Body;
    const { settings, issues } = settingsIn(body);
    if (issues.length > 0) return show(req, res, 400, settings, issues);
    const { document, revision } = await editableDraft(deps.client, id);
    const draft: RuleSetDraft = {
      ...document,
      ladder: { steps: settings.steps },
      approvals: {
        expiresAfterDays: settings.expiresAfterDays,
        reminderDaysBefore: settings.reminderDaysBefore,
      },
      moderation: { windowDays: settings.windowDays },
    };
    try {
      await saveEdit(deps, draft, editorOf(principalOf(req)), one(body.revision) || revision);
    } catch (err) {
      const refused = toCovenantError(err);
      if (!refused || statusOf(refused) >= 500) throw err;
      return show(req, res, statusOf(refused), settings, refused.issues);
    }
    res.redirect(303, `/rulesets/${encodeURIComponent(id)}?draft=1&done=saved`);
  });

  async function show(req: Request, res: Response, status: number, posted?: Settings, issues: Issue[] = []) {
    const id = String(req.params.id);
    const { document, revision } = await editableDraft(deps.client, id);
    const settings: Settings = posted ?? {
      steps: document.ladder.steps,
      expiresAfterDays: document.approvals.expiresAfterDays,
      reminderDaysBefore: document.approvals.reminderDaysBefore,
      windowDays: document.moderation.windowDays,
    };
    const { fields: errors, general } = fieldErrors(
      issues,
      /^\/(?:ladder\/|approvals\/|moderation\/)?(steps\/\d+|expiresAfterDays|reminderDaysBefore|windowDays)/,
    );
    const rows = Array.from({ length: Math.max(ROWS, settings.steps.length) }, (_, i) => settings.steps[i]);
    pages.send(res, status, 'ruleset-settings', {
      id,
      name: document.name,
      revision,
      general,
      steps: rows.map((step, i) => ({
        index: i,
        row: i + 1,
        id: step?.id ?? '',
        offsetDays: step === undefined ? '' : String(step.offsetDays),
        flagLate: step?.flagLate === true,
        recipients: RECIPIENTS.map((r) => ({ name: r, checked: step?.notify.includes(r) ?? false })),
        templates: TEMPLATES.map((t) => ({ name: t, selected: step?.template === t })),
        error: errors.get(`steps/${i}`),
      })),
      expiresAfterDays: settings.expiresAfterDays,
      reminderDaysBefore: settings.reminderDaysBefore,
      windowDays: settings.windowDays,
      errors: Object.fromEntries(errors),
    });
  }

  return router;
}

/** The settings as posted, and what is wrong with them at their rows and fields. */
function settingsIn(body: Body): { settings: Settings; issues: Issue[] } {
  const issues: Issue[] = [];
  const steps: LadderStep[] = [];
  const ids = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const id = one(body[`step.${i}.id`]).trim();
    const days = one(body[`step.${i}.offsetDays`]).trim();
    const notify = many(body[`step.${i}.notify`]).filter((r): r is Recipient =>
      (RECIPIENTS as string[]).includes(r),
    );
    if (!id && !days) continue;
    const at = `/steps/${steps.length}`;
    const offsetDays = Number(days);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(id))
      issues.push({ pointer: at, message: `Row ${i + 1}: an id of letters, digits, dots and dashes.` });
    else if (ids.has(id)) issues.push({ pointer: at, message: `Row ${i + 1}: ${id} is used twice.` });
    ids.add(id);
    if (!Number.isInteger(offsetDays) || offsetDays < -90 || offsetDays > 180)
      issues.push({
        pointer: at,
        message: `Row ${i + 1}: days from the due day, a whole number from -90 to 180.`,
      });
    if (notify.length === 0) issues.push({ pointer: at, message: `Row ${i + 1}: tick who is told.` });
    const template = one(body[`step.${i}.template`]) as LadderStep['template'];
    steps.push({
      id,
      offsetDays,
      notify,
      template: TEMPLATES.includes(template) ? template : 'report-reminder',
      ...(one(body[`step.${i}.flagLate`]) === 'yes' ? { flagLate: true } : {}),
    });
  }
  const whole = (
    name: 'expiresAfterDays' | 'reminderDaysBefore' | 'windowDays',
    min: number,
    max: number,
  ): number => {
    const value = Number(one(body[name]));
    if (!Number.isInteger(value) || value < min || value > max)
      issues.push({ pointer: `/${name}`, message: `A whole number of days from ${min} to ${max}.` });
    return value;
  };
  const settings: Settings = {
    // In the order they happen, once every row is right (until then rows stay where they were typed).
    steps: issues.length === 0 ? [...steps].sort((a, b) => a.offsetDays - b.offsetDays) : steps,
    expiresAfterDays: whole('expiresAfterDays', 1, 365),
    reminderDaysBefore: whole('reminderDaysBefore', 0, 364),
    windowDays: whole('windowDays', 0, 365),
  };
  if (issues.length === 0 && settings.reminderDaysBefore >= settings.expiresAfterDays)
    issues.push({
      pointer: '/reminderDaysBefore',
      message: 'The reminder goes before the link expires: fewer days than it lasts.',
    });
  return { settings, issues };
}
