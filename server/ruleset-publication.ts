// Publishing a rule set's draft, by one admin or, under four eyes (COVENANT_RULESET_FOUR_EYES=on),
// asked for by one and approved by a second: the first "publish" records the request and emails
// the deployment's other admins a link to the draft's page; a publish by someone else then
// publishes it, with both names on the version. The entity workflow enforces who may do what.
import type { Client } from '@temporalio/client';
import type { Mailer } from '../activities/mailer.js';
import type { PublishResult } from '../workflows/messages.js';
import type { UserStore } from '../store/users.js';
import type { Templates } from '../templates/index.js';
import { findRuleSet, publishDraft, requestPublication } from './ruleset-registry.js';

export interface PublicationDeps {
  client: Client;
  fourEyes: boolean;
  users: UserStore;
  mailer: Mailer;
  templates: Templates;
  publicUrl: string;
}

export type Publication = { published: PublishResult } | { requested: { revision: number } };

export async function publishOrAsk(
  deps: PublicationDeps,
  id: string,
  who: string | undefined,
  note: string | undefined,
  expectedRevision?: number,
): Promise<Publication> {
  if (!deps.fourEyes) return { published: await publishDraft(deps.client, id, who, note, expectedRevision) };
  const view = await findRuleSet(deps.client, id);
  if (view?.draft?.publicationRequest)
    return { published: await publishDraft(deps.client, id, who, note, expectedRevision, true) };
  const by = who ?? 'someone';
  const requested = await requestPublication(deps.client, id, by, note, expectedRevision);
  const admins = (await deps.users.list()).filter(
    (u) => u.role === 'admin' && !u.disabledAt && !by.includes(`<${u.email}>`),
  );
  const link = `${deps.publicUrl}/rulesets/${encodeURIComponent(id)}?draft=1`;
  for (const approver of admins) {
    await deps.mailer.send(
      `ruleset/${id}/r${requested.revision}/approval/${approver.email}`,
      [{ name: approver.name, email: approver.email }],
      deps.templates.email('ruleset-approval', {
        approver,
        by,
        id,
        ruleSet: view?.draft?.ruleSet ?? { name: id },
        revision: requested.revision,
        note,
        link,
      }),
    );
  }
  return { requested };
}
