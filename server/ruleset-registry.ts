// The rule-set registry as the server sees it: the built-in library (version 1 of default, percent
// and threshold, from code, with no workflow) and one ruleSetWorkflow per registered id, reached
// through the Temporal client. A first save to a built-in id seeds its entity with the built-in as
// version 1, so the office's first publication of `default` is version 2 and version 1 stays the code's.
import { describeCondition } from '../rules/sentences.js';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { ContractInput } from '../model/contract.js';
import { CovenantError, pointer, type Issue } from '../model/errors.js';
import { reportingPeriods } from '../model/periods.js';
import { phasingIssues } from '../model/phasing.js';
import type { Scale } from '../model/portfolio-review.js';
import type { RuleSet, RuleSetDraft } from '../model/ruleset.js';
import { builtInRuleSet, builtInRuleSets } from '../rules/library/index.js';
import { schemaErrors } from '../rules/ruleset-validation.js';
import {
  publishUpdate,
  requestPublicationUpdate,
  RULESET_WORKFLOW,
  ruleSetQuery,
  ruleSetVersionQuery,
  ruleSetWorkflowId,
  saveDraftUpdate,
  type PublishedVersion,
  type PublishResult,
  type RuleSetView,
  type SaveDraftResult,
} from '../workflows/messages.js';
import { mapConcurrently } from './concurrency.js';
import type { RuleRunner } from './rule-runner/index.js';

export interface RuleSetListItem {
  id: string;
  name: string;
  builtIn: boolean;
  latestVersion: number | null;
  versions: number[];
  draft: { revision: number; savedAt: string; savedBy?: string; publishedAs?: number } | null;
}

/** How many entities are queried at once when listing. */
const LIST_CONCURRENCY = 8;

/** A published version, built-in or registered; undefined when there is none such. */
export async function findPublishedVersion(
  client: Client,
  id: string,
  version: number,
): Promise<PublishedVersion | undefined> {
  const builtIn = builtInRuleSet(id);
  if (builtIn && version === builtIn.version) return { version, ruleSet: builtIn, builtIn: true };
  try {
    const found = await client.workflow.getHandle(ruleSetWorkflowId(id)).query(ruleSetVersionQuery, version);
    return found ?? undefined;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/**
 * The rule set a new contract pins: the published version it names, with the indicators' own
 * criteria checked against the names that rule set declares. 400 with pointers otherwise.
 */
export async function ruleSetForContract(client: Client, contract: ContractInput): Promise<RuleSet> {
  const { id, version } = contract.ruleSet;
  const found = await findPublishedVersion(client, id, version);
  if (!found) {
    const view = await findRuleSet(client, id);
    const known = view?.versions.map((v) => v.version).join(', ');
    throw new CovenantError('invalid', [
      {
        pointer: '/ruleSet',
        message: known
          ? `Rule set '${id}' has no published version ${version}; published: ${known}`
          : `No rule set '${id}'; built in: ${builtInRuleSets.map((r) => `${r.id} v${r.version}`).join(', ')}`,
      },
    ]);
  }
  const issues = [
    ...criteriaIssues(found.ruleSet, contract),
    ...phasingIssues(
      contract.indicators,
      reportingPeriods(contract.period).map((p) => p.id),
      found.ruleSet.scoring.aggregation,
    ),
  ];
  if (issues.length > 0) throw new CovenantError('invalid', issues);
  return found.ruleSet;
}

/** One rule set's draft and versions; undefined for an id neither built in nor registered. */
export async function findRuleSet(client: Client, id: string): Promise<RuleSetView | undefined> {
  try {
    return await client.workflow.getHandle(ruleSetWorkflowId(id)).query(ruleSetQuery);
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  const builtIn = builtInRuleSet(id);
  if (!builtIn) return undefined;
  return { id, draft: null, versions: [{ version: builtIn.version, builtIn: true, name: builtIn.name }] };
}

/** Every rule set: the built-in ones, and those registered on this task queue (from visibility). */
export async function listRuleSets(client: Client, taskQueue: string): Promise<RuleSetListItem[]> {
  const ids = new Set(builtInRuleSets.map((r) => r.id));
  const query = `WorkflowType = '${RULESET_WORKFLOW}' AND ExecutionStatus = 'Running' AND TaskQueue = ${quote(taskQueue)}`;
  for await (const info of client.workflow.list({ query })) ids.add(info.workflowId.replace(/^ruleset:/, ''));
  const views = await mapConcurrently([...ids], LIST_CONCURRENCY, (id) => findRuleSet(client, id));
  return views
    .filter(
      (view): view is RuleSetView => view !== undefined && (view.versions.length > 0 || view.draft !== null),
    )
    .map(toListItem)
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** Saves a draft, starting the rule set's entity on its first save (Update-with-Start). */
export async function saveDraft(
  client: Client,
  taskQueue: string,
  draft: RuleSetDraft,
  by: string | undefined,
  runner: RuleRunner,
  expectedRevision?: number,
): Promise<SaveDraftResult> {
  // The entity checks this too; checking first keeps a refused first save from starting an empty entity.
  const shape = schemaErrors(draft);
  if (shape.length > 0)
    throw new CovenantError(
      'invalid',
      shape.map(({ pointer, message }) => ({ pointer, message })),
    );
  // Its test cases run here, in a rule thread; the entity records the outcome.
  const validation = await runner.validate(draft);
  const seed = builtInRuleSet(draft.id);
  const start = new WithStartWorkflowOperation(RULESET_WORKFLOW, {
    workflowId: ruleSetWorkflowId(draft.id),
    taskQueue,
    args: [{ id: draft.id, ...(seed ? { seed } : {}) }],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return client.workflow.executeUpdateWithStart(saveDraftUpdate, {
    args: [
      {
        ruleSet: draft,
        validation,
        ...(by ? { by } : {}),
        ...(expectedRevision === undefined ? {} : { expectedRevision }),
      },
    ],
    startWorkflowOperation: start,
  });
}

/** Four eyes: asks for the draft's publication, which a second person then approves (publishDraft). */
export async function requestPublication(
  client: Client,
  id: string,
  by: string,
  note: string | undefined,
  expectedRevision?: number,
): Promise<{ revision: number }> {
  return client.workflow.getHandle(ruleSetWorkflowId(id)).executeUpdate(requestPublicationUpdate, {
    args: [
      { by, ...(note ? { note } : {}), ...(expectedRevision === undefined ? {} : { expectedRevision }) },
    ],
  });
}

export async function publishDraft(
  client: Client,
  id: string,
  by: string | undefined,
  note: string | undefined,
  expectedRevision?: number,
  fourEyes = false,
): Promise<PublishResult> {
  try {
    return await client.workflow.getHandle(ruleSetWorkflowId(id)).executeUpdate(publishUpdate, {
      args: [
        {
          ...(by ? { by } : {}),
          ...(note ? { note } : {}),
          ...(expectedRevision === undefined ? {} : { expectedRevision }),
          ...(fourEyes ? { fourEyes } : {}),
        },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    throw new CovenantError('conflict', [
      {
        pointer: '',
        message: `There is no draft of '${id}' to publish: save one first (POST /api/v1/rulesets).`,
      },
    ]);
  }
}

function toListItem(view: RuleSetView): RuleSetListItem {
  const versions = view.versions.map((v) => v.version);
  const latest = view.versions.at(-1);
  const draft = view.draft ? (({ ruleSet: _ruleSet, ...meta }) => meta)(view.draft) : null;
  return {
    id: view.id,
    name: view.draft?.ruleSet.name ?? latest?.name ?? view.id,
    builtIn: builtInRuleSet(view.id) !== undefined,
    latestVersion: latest?.version ?? null,
    versions,
    draft,
  };
}

/** Each criteria value an indicator sets must be one its rule set declares (scoring.criteria). */
function criteriaIssues(ruleSet: RuleSet, contract: ContractInput): Issue[] {
  const declared = Object.keys(ruleSet.scoring.criteria ?? {});
  const issues: Issue[] = [];
  contract.indicators.forEach((indicator, i) => {
    for (const name of Object.keys(indicator.criteria ?? {})) {
      if (declared.includes(name)) continue;
      issues.push({
        pointer: pointer('indicators', i, 'criteria', name),
        message: declared.length
          ? `rule set '${ruleSet.id}' v${ruleSet.version} has no criteria value '${name}'; it reads ${declared.join(', ')}`
          : `rule set '${ruleSet.id}' v${ruleSet.version} reads no criteria values`,
      });
    }
  });
  return issues;
}

/** A string literal for a visibility query: quotes and backslashes escaped, so no value becomes syntax. */
function quote(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/**
 * A published rule set's scale (which way its composite is better, its grades best first), for
 * league tables; published versions never change, so each is asked for once per process.
 */
/**
 * Each escalation of a published version in words (rules/sentences.ts), by id, kept once read: what
 * the review documents print beside why an escalation fired. Empty when the version is unknown.
 */
export function ruleSetEscalationWords(
  client: Client,
): (id: string, version: number) => Promise<Record<string, string>> {
  const known = new Map<string, Promise<Record<string, string>>>();
  return (id, version) => {
    const key = `${id}@${version}`;
    let found = known.get(key);
    if (!found) {
      found = findPublishedVersion(client, id, version).then((v) =>
        Object.fromEntries((v?.ruleSet.escalations ?? []).map((e) => [e.id, describeCondition(e.when)])),
      );
      found.catch(() => known.delete(key));
      known.set(key, found);
    }
    return found;
  };
}

export function ruleSetScales(client: Client): (id: string, version: number) => Promise<Scale> {
  const known = new Map<string, Promise<Scale>>();
  return (id, version) => {
    const key = `${id}@${version}`;
    let found = known.get(key);
    if (!found) {
      found = findPublishedVersion(client, id, version).then((v) => ({
        better: v?.ruleSet.scoring.better ?? 'higher',
        grades: v?.ruleSet.scoring.grades ?? [],
      }));
      found.catch(() => known.delete(key));
      known.set(key, found);
    }
    return found;
  };
}
