// The contract's projection into the read model (PostgreSQL), kept apart from the main loop like
// the mail queue: the main loop marks the state as changed (stamping a new version); a loop of its
// own writes it through a local activity given the state (runs recorded before that asked an
// activity that read the state through the state query).
// A database that is down delays the read model; the contract's other work waits at most a workflow
// task's heartbeat (about 8 s) while a write retries, never longer.
import { condition, patched } from '@temporalio/workflow';
import { projectContract, writeProjection } from './activities.js';
import type { ContractContext } from './context.js';

/** Contracts recorded before the read model existed replay without projecting. */
const READ_MODEL_PATCH = 'read-model';
const LOCAL_WRITE_PATCH = 'read-model-local-write';

/**
 * Marks a projection due when the state changed since the last one, and stamps a new version. The
 * state's JSON as last marked (its version left out) is kept to compare with: one native
 * serialisation and a string comparison (hashing it in the sandbox cost more than the rest of a
 * review).
 */
export function markChanged(ctx: ContractContext): void {
  if (!projecting(ctx)) return;
  const { state } = ctx;
  const version = state.version;
  state.version = undefined; // left out of the JSON, its key kept in place
  const text = JSON.stringify(state);
  state.version = version;
  if (text === ctx.projection.written) return;
  state.version = (version ?? 0) + 1;
  ctx.projection.written = text;
  ctx.projection.due = true;
}

/** Writes due projections for the life of the run. */
export async function projectChanges(ctx: ContractContext): Promise<void> {
  for (;;) {
    await condition(() => ctx.projection.due);
    ctx.projection.due = false;
    ctx.projection.running = true;
    if (localWrites(ctx)) await writeProjection(ctx.state);
    else await projectContract({ id: ctx.state.id, version: ctx.state.version ?? 0 });
    ctx.projection.running = false;
  }
}

/** Nothing due and nothing being written. */
export function projected(ctx: ContractContext): boolean {
  return !ctx.projection.due && !ctx.projection.running;
}

/**
 * Runs recorded before this wrote through an activity that queried the state; this passes the state
 * to a local activity: one task and one query fewer per change.
 */
function localWrites(ctx: ContractContext): boolean {
  ctx.projection.local ??= patched(LOCAL_WRITE_PATCH);
  return ctx.projection.local;
}

function projecting(ctx: ContractContext): boolean {
  ctx.projection.enabled ??= patched(READ_MODEL_PATCH);
  return ctx.projection.enabled;
}
