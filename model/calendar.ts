// Calendar arithmetic on ISO dates (YYYY-MM-DD), in UTC. Pure: safe inside workflows.
const DAY_MS = 86_400_000;

export function parseDate(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d);
}

export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return formatDate(parseDate(date) + days * DAY_MS);
}

/** Adds months, clamping the day to the target month's length (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const first = Date.UTC(y, m - 1 + months, 1);
  const firstDate = new Date(first);
  const lastDay = new Date(Date.UTC(firstDate.getUTCFullYear(), firstDate.getUTCMonth() + 1, 0)).getUTCDate();
  return formatDate(Date.UTC(firstDate.getUTCFullYear(), firstDate.getUTCMonth(), Math.min(d, lastDay)));
}

/** The instant a date is over: midnight UTC at the start of the next day. */
export function endOfDay(date: string): number {
  return parseDate(date) + DAY_MS;
}

export function laterDate(a: string, b: string): string {
  return a >= b ? a : b;
}

export const DAY = DAY_MS;
