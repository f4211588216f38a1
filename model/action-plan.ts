// The action plan: how the unit means to reach its targets. Initiatives linked to indicators, each
// with an owner, milestones and a status; agreed with the terms, updated with each quarterly
// report, reviewed with each period; corrective actions asked for by escalations join it.
import type { Person } from './contract.js';
import { keyName, personSchema } from './names.js';
import type { Evidence } from './report.js';

export type InitiativeStatus = 'planned' | 'in-progress' | 'done' | 'blocked' | 'dropped';

export interface MilestoneInput {
  id: string;
  title: string;
  /** The date it is due, YYYY-MM-DD. */
  due: string;
}

/** An initiative as proposed with the terms (or added as a corrective action). */
export interface InitiativeInput {
  id: string;
  title: string;
  /** The ids of the indicators it serves. */
  indicators: string[];
  owner: Person;
  milestones?: MilestoneInput[];
  budget?: number;
  status?: InitiativeStatus;
}

export interface Milestone extends MilestoneInput {
  /** The date it was done, YYYY-MM-DD. */
  doneOn?: string;
}

export interface ProgressNote {
  at: string;
  by?: string;
  /** The period whose report carried it. */
  period?: string;
  note?: string;
  status?: InitiativeStatus;
  evidence?: Evidence[];
}

export interface Initiative extends Omit<InitiativeInput, 'milestones' | 'status'> {
  status: InitiativeStatus;
  milestones: Milestone[];
  progress: ProgressNote[];
  /** The corrective action it answers, when it is one. */
  corrective?: string;
}

/** An update of one initiative, sent with a report or on its own. */
export interface InitiativeUpdate {
  status?: InitiativeStatus;
  note?: string;
  /** Milestones done (a date) or reopened (null), by id. */
  milestones?: Record<string, string | null>;
}

/**
 * A corrective action an escalation asked for: requested of the unit, which adds it (an initiative
 * with an owner and a due date) within the rule set's days, then closes it with a note or evidence.
 */
export interface CorrectiveAction {
  id: string;
  escalation: string;
  period: string;
  message: string;
  requestedAt: string;
  /** The day by which the unit must add it, YYYY-MM-DD. */
  addBy: string;
  status: 'requested' | 'open' | 'closed';
  /** Set once added: the initiative and the day it is due. */
  initiative?: string;
  due?: string;
  addedAt?: string;
  closedAt?: string;
  closing?: { note?: string; evidence?: Evidence[]; by?: string };
  /** Ladder steps already sent: `add:<step>` while requested, `close:<step>` while open. */
  ladder: string[];
}

/** What a review found of the plan. */
export interface PlanReview {
  /** Milestones past due and not done. */
  overdue: { initiative: string; milestone: string; title: string; due: string }[];
  /** Initiatives whose indicators are below their target this period. */
  behind: { initiative: string; title: string; indicators: string[] }[];
  /** Indicators below target that no open initiative serves. */
  uncovered: string[];
  /** Corrective actions not yet added or past their due date. */
  correctiveLate: string[];
}

export const MAX_INITIATIVES = 50;
const ID = keyName('^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$');
const DATE = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', format: 'date' } as const;
const NOTE = { type: 'string', maxLength: 2000 } as const;
export const STATUSES = ['planned', 'in-progress', 'done', 'blocked', 'dropped'] as const;

export const milestoneSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'title', 'due'],
  properties: { id: ID, title: { type: 'string', minLength: 1, maxLength: 300 }, due: DATE },
} as const;

export const initiativeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'title', 'indicators', 'owner'],
  properties: {
    id: ID,
    title: { type: 'string', minLength: 1, maxLength: 300 },
    indicators: {
      type: 'array',
      maxItems: 100,
      uniqueItems: true,
      items: { type: 'string', maxLength: 100 },
    },
    owner: personSchema,
    milestones: { type: 'array', maxItems: 20, items: milestoneSchema },
    budget: { type: 'number', minimum: 0 },
    status: { enum: STATUSES },
  },
} as const;

export const actionPlanSchema = {
  type: 'array',
  maxItems: MAX_INITIATIVES,
  items: initiativeSchema,
} as const;

export const planUpdatesSchema = {
  type: 'object',
  maxProperties: MAX_INITIATIVES,
  propertyNames: { maxLength: 100 },
  additionalProperties: {
    type: 'object',
    additionalProperties: false,
    properties: {
      status: { enum: STATUSES },
      note: NOTE,
      milestones: {
        type: 'object',
        maxProperties: 20,
        propertyNames: { maxLength: 100 },
        additionalProperties: { anyOf: [DATE, { type: 'null' }] },
      },
    },
  },
} as const;

/** What is wrong with a plan against its terms: duplicate ids, unknown indicators. */
export function planIssues(
  plan: readonly InitiativeInput[],
  indicatorIds: readonly string[],
  at = '/actionPlan',
): { pointer: string; message: string }[] {
  const issues: { pointer: string; message: string }[] = [];
  const seen = new Set<string>();
  plan.forEach((initiative, i) => {
    if (seen.has(initiative.id))
      issues.push({ pointer: `${at}/${i}/id`, message: `duplicates initiative id '${initiative.id}'` });
    seen.add(initiative.id);
    initiative.indicators.forEach((id, j) => {
      if (!indicatorIds.includes(id))
        issues.push({
          pointer: `${at}/${i}/indicators/${j}`,
          message: `'${id}' is not an indicator of these terms; they have ${indicatorIds.join(', ')}`,
        });
    });
    const milestones = new Set<string>();
    (initiative.milestones ?? []).forEach((m, j) => {
      if (milestones.has(m.id))
        issues.push({
          pointer: `${at}/${i}/milestones/${j}/id`,
          message: `duplicates milestone id '${m.id}'`,
        });
      milestones.add(m.id);
    });
  });
  return issues;
}

/** The living plan an agreed one starts as. */
export function startPlan(plan: readonly InitiativeInput[]): Initiative[] {
  return plan.map(({ milestones, status, ...rest }) => ({
    ...rest,
    status: status ?? 'planned',
    milestones: (milestones ?? []).map((m) => ({ ...m })),
    progress: [],
  }));
}

/** What a renewal proposes of this year's plan: the initiatives still open, as they stand. */
export function carriedPlan(plan: readonly Initiative[]): InitiativeInput[] {
  return plan
    .filter((i) => i.status !== 'done' && i.status !== 'dropped')
    .map((i) => ({
      id: i.id,
      title: i.title,
      indicators: i.indicators,
      owner: i.owner,
      ...(i.budget === undefined ? {} : { budget: i.budget }),
      status: i.status,
      milestones: i.milestones.filter((m) => !m.doneOn).map(({ id, title, due }) => ({ id, title, due })),
    }));
}
