// The contract's mail queue: emails and approval links leave in order, apart from the main loop,
// so a mail relay that is down delays the mail (the activity retries) but not reviews and timers.
import { ActivityFailure, ApplicationFailure, condition, patched } from '@temporalio/workflow';
import { MAIL_REJECTED } from '../../model/errors.js';
import { requestApproval, sendEmail } from './activities.js';
import { log, summary, type ContractContext, type Outgoing } from './context.js';
import { markChanged } from './projection.js';

/** Projections after a batch of emails, not after each. */
const BATCHED_MAIL_PROJECTION = 'read-model-after-mail-batch';

/** Sends the queue for the life of the run. */
export async function sendMail(ctx: ContractContext): Promise<void> {
  for (;;) {
    await condition(() => ctx.outbox.length > 0);
    ctx.sending = true;
    const message = ctx.outbox.shift()!;
    try {
      await send(ctx, message);
    } catch (err) {
      // A relay's permanent refusal (e.g. no such mailbox) must not hold up every later message.
      if (!(
        err instanceof ActivityFailure &&
        err.cause instanceof ApplicationFailure &&
        err.cause.type === MAIL_REJECTED
      )) {
        throw err;
      }
      log(
        ctx,
        'email-failed',
        message.type === 'approval' ? message.approval.approver : message.to.map((p) => p.email).join(', '),
        err.cause.message,
      );
    }
    ctx.sending = false;
    // The record has new lines: the read model should show them, once the queue is empty (runs
    // recorded before that projected after each email).
    if (ctx.outbox.length === 0 || !patched(BATCHED_MAIL_PROJECTION)) markChanged(ctx);
  }
}

/** Nothing queued and nothing being sent. */
export function mailSent(ctx: ContractContext): boolean {
  return ctx.outbox.length === 0 && !ctx.sending;
}

async function send(ctx: ContractContext, message: Outgoing): Promise<void> {
  const { state } = ctx;
  if (message.type === 'approval') {
    const { approval } = message;
    const terms = state.revisions[approval.revision - 1];
    await requestApproval({
      contract: summary(ctx),
      approval,
      indicators: terms?.indicators ?? [],
      ...(approval.kind === 'sign' && state.signing ? { signing: state.signing } : {}),
      ...(approval.kind === 'signoff' && state.evaluation ? { evaluation: state.evaluation } : {}),
      ...(approval.kind === 'revise' && terms
        ? { previous: state.revisions[state.revision - 1]!.indicators }
        : {}),
    });
    log(
      ctx,
      `email:approval-${approval.kind}${approval.reminded ? '-reminder' : ''}`,
      approval.approver,
      approval.id,
    );
  } else {
    await sendEmail({ key: message.key, to: message.to, template: message.template, data: message.data });
    log(ctx, `email:${message.template}`, message.to.map((p) => p.email).join(', '));
  }
}
