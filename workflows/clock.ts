// The workflow clock. Inside Temporal's sandbox Date.now() is the time of the current workflow
// task, recorded in history, so replays see the same instant; this is the one place we read it.
export function nowMs(): number {
  // eslint-disable-next-line no-restricted-properties
  return Date.now();
}

export function nowIso(): string {
  return new Date(nowMs()).toISOString();
}
