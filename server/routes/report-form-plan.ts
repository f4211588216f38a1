// The action plan's part of the report form: each initiative's status, a note, and milestones
// ticked done, read from the form's fields into the updates the report (or the plan) takes.
import type { Initiative, InitiativeUpdate } from '../../model/action-plan.js';
import type { Issue } from '../../model/errors.js';

export const STATUSES = ['planned', 'in-progress', 'done', 'blocked', 'dropped'] as const;

type Body = Record<string, unknown>;

/** The updates the form asks for: a status that changed, a note given, milestones newly done today. */
export function planUpdatesOf(
  body: Body,
  plan: readonly Initiative[],
  today: string,
): Record<string, InitiativeUpdate> {
  const updates: Record<string, InitiativeUpdate> = {};
  for (const initiative of plan) {
    const update: InitiativeUpdate = {};
    const status = text(body[`plan.status.${initiative.id}`]);
    if (status && status !== initiative.status) update.status = status as InitiativeUpdate['status'];
    const note = text(body[`plan.note.${initiative.id}`]);
    if (note) update.note = note;
    const done = initiative.milestones.filter(
      (m) => !m.doneOn && body[`plan.milestone.${initiative.id}.${m.id}`] === 'done',
    );
    if (done.length > 0) update.milestones = Object.fromEntries(done.map((m) => [m.id, today]));
    if (Object.keys(update).length > 0) updates[initiative.id] = update;
  }
  return updates;
}

/** The plan's rows for the page, with what was posted and the refusals by initiative. */
export function planRows(plan: readonly Initiative[], posted: Body | undefined, issues: readonly Issue[]) {
  const errors = new Map<string, string>();
  for (const issue of issues) {
    const id = /^\/(?:plan|updates)\/([^/]+)/.exec(issue.pointer)?.[1];
    if (id) errors.set(decodeURIComponent(id), issue.message);
  }
  return plan.map((initiative) => ({
    initiative,
    status: text(posted?.[`plan.status.${initiative.id}`]) ?? initiative.status,
    note: text(posted?.[`plan.note.${initiative.id}`]) ?? '',
    milestones: initiative.milestones.map((m) => ({
      ...m,
      checked: posted?.[`plan.milestone.${initiative.id}.${m.id}`] === 'done',
    })),
    error: errors.get(initiative.id),
  }));
}

/** True when an issue concerns the plan (shown beside its initiative, not the figures). */
export function isPlanIssue(issue: Issue): boolean {
  return /^\/(plan|updates)\//.test(issue.pointer);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}
