// One rule set, one entity workflow (id ruleset:<id>): the editable draft and the published
// versions, which never change. Updates save the draft and publish it; their synchronous validators
// run the full validation, so a refused change leaves nothing behind. The history stays bounded:
// the workflow continues as new with its state as plain JSON when Temporal suggests it, or after
// `historyLimit` events.
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { RuleSet, RuleSetDraft } from '../model/ruleset.js';
import { errorsOf, schemaErrors, validateRuleSetDocument } from '../rules/ruleset-validation.js';
import { nowIso } from './clock.js';
import {
  publishUpdate,
  ruleSetQuery,
  ruleSetVersionQuery,
  saveDraftUpdate,
  requestPublicationUpdate,
  type PublishInput,
  type RuleSetEntity,
  type RuleSetView,
  type RuleSetWorkflowInput,
  type SaveDraftInput,
} from './messages.js';

/** Far below Temporal's 51,200-event limit: a save or a publication costs about five events. */
export const DEFAULT_HISTORY_LIMIT = 2_000;

/**
 * The state is carried whole into each new run, one payload under Temporal's 2 MB limit: past this
 * size (some fifty versions of a large rule set) the entity refuses more, and a new id (one per
 * cycle, say) starts afresh.
 */
export const MAX_STATE_CHARS = 1_500_000;

export async function ruleSetWorkflow(input: RuleSetWorkflowInput): Promise<void> {
  const state: RuleSetEntity = input.carried ?? {
    id: input.id,
    versions: input.seed ? [{ version: 1, ruleSet: input.seed, builtIn: true }] : [],
  };
  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  const nextVersion = (): number => Math.max(0, ...state.versions.map((v) => v.version)) + 1;

  setHandler(ruleSetQuery, (): RuleSetView => ({
    id: state.id,
    draft: state.draft ?? null,
    versions: state.versions.map(({ ruleSet, ...rest }) => ({ ...rest, name: ruleSet.name })),
  }));
  setHandler(ruleSetVersionQuery, (version) => state.versions.find((v) => v.version === version) ?? null);

  setHandler(
    saveDraftUpdate,
    ({ ruleSet, by, validation: checked }) => {
      const document: RuleSetDraft = { ...ruleSet };
      delete document.version;
      // The server validates off the workflow (no rule can stall it); saves recorded before that
      // carry no validation and replay as they ran.
      const validation = checked ?? validateRuleSetDocument(document);
      state.draft = {
        ruleSet: document,
        revision: (state.draft?.revision ?? 0) + 1,
        savedAt: nowIso(),
        ...(by ? { savedBy: by } : {}),
        ...(checked ? { validation: checked } : {}),
      };
      return { id: state.id, revision: state.draft.revision, savedAt: state.draft.savedAt, validation };
    },
    {
      validator: ({ ruleSet, validation, expectedRevision }: SaveDraftInput) => {
        checkRevision(state, expectedRevision);
        const shape = schemaErrors(ruleSet);
        if (shape.length > 0) throw invalid(shape, 'The draft is not a rule set');
        if (ruleSet.id !== state.id) {
          throw invalid([
            { pointer: '/id', message: `must be '${state.id}', the rule set this draft belongs to` },
          ]);
        }
        if (ruleSet.version !== undefined) checkNoVersion(ruleSet.version);
        const adding = JSON.stringify(ruleSet).length + JSON.stringify(validation ?? null).length;
        if (JSON.stringify(state).length + adding > MAX_STATE_CHARS) throw full();
      },
    },
  );

  setHandler(
    requestPublicationUpdate,
    ({ by, note }) => {
      const draft = state.draft!;
      draft.publicationRequest = { by, at: nowIso(), ...(note ? { note } : {}) };
      return { revision: draft.revision };
    },
    { validator: (input: PublishInput) => checkPublishable(input) },
  );

  setHandler(
    publishUpdate,
    ({ by, note, fourEyes }) => {
      const draft = state.draft!;
      const version = nextVersion();
      const publishedAt = nowIso();
      const ruleSet: RuleSet = { ...draft.ruleSet, id: state.id, version };
      // Under four eyes the one who asked publishes, the second person approves.
      const asked = fourEyes ? draft.publicationRequest : undefined;
      const publisher = asked?.by ?? by;
      const says = asked?.note ?? note;
      state.versions.push({
        version,
        ruleSet,
        publishedAt,
        ...(publisher ? { publishedBy: publisher } : {}),
        ...(asked && by ? { approvedBy: by } : {}),
        ...(says ? { note: says } : {}),
      });
      draft.publishedAs = version;
      delete draft.publicationRequest;
      return { id: state.id, version, publishedAt };
    },
    {
      validator: (input: PublishInput) => {
        checkPublishable(input);
        if (!input.fourEyes) return;
        const asked = state.draft!.publicationRequest;
        if (!asked)
          throw conflict(
            'Under four eyes a publication is asked for first, then approved by a second person.',
          );
        if (!input.by || input.by === asked.by)
          throw conflict(`${asked.by} asked for this publication: a second person approves it.`);
      },
    },
  );

  /** What publishing (or asking for it) needs: the draft looked at, not yet published, without errors. */
  function checkPublishable({ expectedRevision }: PublishInput): void {
    checkRevision(state, expectedRevision);
    const draft = state.draft;
    if (!draft) throw conflict('There is no draft to publish: save one first.');
    if (draft.publishedAs !== undefined) {
      throw conflict(
        `The draft is unchanged since it was published as version ${draft.publishedAs}: change it, then publish.`,
      );
    }
    if (!draft.validation) {
      throw conflict(
        'This draft was saved before drafts were checked outside the workflow: save it again, then publish.',
      );
    }
    const errors = errorsOf(draft.validation);
    if (errors.length > 0) {
      throw invalid(
        errors,
        `The draft has ${errors.length} error${errors.length === 1 ? '' : 's'}: fix them, then publish`,
      );
    }
    if (JSON.stringify(state).length + JSON.stringify(draft.ruleSet).length > MAX_STATE_CHARS) throw full();
  }

  function checkNoVersion(version: number): never {
    const published = state.versions.some((v) => v.version === version);
    if (published) {
      throw conflict(
        `Version ${version} of '${state.id}' is published and never changes. Save the draft without a version: publishing it makes version ${nextVersion()}.`,
        '/version',
      );
    }
    throw invalid([
      {
        pointer: '/version',
        message: `a draft has no version: publishing it makes version ${nextVersion()}`,
      },
    ]);
  }

  await condition(
    () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= historyLimit,
  );
  await condition(allHandlersFinished);
  await continueAsNew<typeof ruleSetWorkflow>({
    id: state.id,
    carried: state,
    ...(input.historyLimit === undefined ? {} : { historyLimit: input.historyLimit }),
  });
}

function invalid(issues: { pointer: string; message: string }[], message?: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'invalid',
    message: message ?? issues.map((i) => `${i.pointer}: ${i.message}`).join('; '),
    nonRetryable: true,
    details: issues.map(({ pointer, message }) => ({ pointer, message })),
  });
}

function conflict(message: string, pointer = ''): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'conflict',
    message,
    nonRetryable: true,
    details: [{ pointer, message }],
  });
}

/**
 * Optimistic locking of the draft: an edit made from revision `expected` of it (the ETag its
 * editor read) is refused when another has been saved since, rather than overwriting it unseen.
 */
function checkRevision(state: RuleSetEntity, expected: number | undefined): void {
  if (expected === undefined) return;
  const current = state.draft?.revision ?? 0;
  if (expected === current) return;
  const who = state.draft?.savedBy ? ` by ${state.draft.savedBy}` : '';
  const message = `The draft changed since you opened it: it is at revision ${current} (saved${who} at ${state.draft?.savedAt ?? 'no time'}), yours was made from revision ${expected}. Reload it, then make your change again.`;
  throw ApplicationFailure.create({
    type: 'precondition-failed',
    message,
    nonRetryable: true,
    details: [{ pointer: '', message }],
  });
}

function full(): ApplicationFailure {
  return conflict(
    'This rule set has as many versions as its record can carry: start a new rule set id (one per cycle, for example).',
  );
}
