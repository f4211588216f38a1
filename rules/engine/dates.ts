// Date operators on ISO strings, computed in UTC by pure arithmetic: no clock, no local time zone.
// Accepted: "YYYY-MM-DD" and timestamps "YYYY-MM-DDTHH:mm[:ss[.fff]]" followed by "Z" or "±HH:mm"
// (an offset is required: without one the instant would depend on the machine's time zone).
// Anything else, including impossible dates such as 2023-02-30, yields null.

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2}))$/;

/** Milliseconds since 1970-01-01T00:00Z, or null when the value is not an accepted ISO string. */
export function parseInstant(value: unknown): number | null {
  if (typeof value !== 'string' || value.length > 40) return null;
  const date = DATE.exec(value);
  if (date) return utcDay(Number(date[1]), Number(date[2]), Number(date[3]));
  const ts = TIMESTAMP.exec(value);
  if (!ts) return null;
  const day = utcDay(Number(ts[1]), Number(ts[2]), Number(ts[3]));
  const hours = Number(ts[4]);
  const minutes = Number(ts[5]);
  const seconds = ts[6] === undefined ? 0 : Number(ts[6]);
  const millis = ts[7] === undefined ? 0 : Math.floor(Number(`0.${ts[7]}`) * 1000);
  if (day === null || hours > 23 || minutes > 59 || seconds > 59) return null;
  let offset = 0;
  if (ts[8] !== 'Z') {
    const offsetHours = Number(ts[10]);
    const offsetMinutes = Number(ts[11]);
    if (offsetHours > 23 || offsetMinutes > 59) return null;
    offset = (ts[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  }
  return day + ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis - offset;
}

/** days_between(a, b): whole UTC calendar days from a to b (b − a); the time of day is ignored. */
export function daysBetween(a: unknown, b: unknown): number | null {
  const from = parseInstant(a);
  const to = parseInstant(b);
  if (from === null || to === null) return null;
  return Math.floor(to / DAY_MS) - Math.floor(from / DAY_MS);
}

/** add_days(date, n) → "YYYY-MM-DD" (UTC), n a whole number of days. */
export function addDays(date: unknown, days: unknown): string | null {
  const instant = parseInstant(date);
  if (instant === null || typeof days !== 'number' || !Number.isInteger(days) || Math.abs(days) > 3_650_000) {
    return null;
  }
  const result = new Date((Math.floor(instant / DAY_MS) + days) * DAY_MS);
  const year = result.getUTCFullYear();
  if (year < 0 || year > 9999) return null;
  return `${String(year).padStart(4, '0')}-${pad2(result.getUTCMonth() + 1)}-${pad2(result.getUTCDate())}`;
}

/**
 * quarter(date, fiscalStartMonth = 1) → 1..4. With a fiscal year starting in July (7), July to
 * September is Q1 and January to March is Q3.
 */
export function quarter(date: unknown, fiscalStartMonth: unknown = 1): number | null {
  const instant = parseInstant(date);
  const start = fiscalStartMonth === undefined || fiscalStartMonth === null ? 1 : fiscalStartMonth;
  if (instant === null || typeof start !== 'number' || !Number.isInteger(start) || start < 1 || start > 12) {
    return null;
  }
  const month = new Date(instant).getUTCMonth() + 1;
  return Math.floor(((((month - start) % 12) + 12) % 12) / 3) + 1;
}

/** date_before(a, b): a is an earlier instant than b (a date alone is its midnight UTC). */
export function dateBefore(a: unknown, b: unknown): boolean | null {
  const x = parseInstant(a);
  const y = parseInstant(b);
  return x === null || y === null ? null : x < y;
}

/** date_after(a, b): a is a later instant than b. */
export function dateAfter(a: unknown, b: unknown): boolean | null {
  const x = parseInstant(a);
  const y = parseInstant(b);
  return x === null || y === null ? null : x > y;
}

function utcDay(year: number, month: number, day: number): number | null {
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  // setUTCFullYear, unlike Date.UTC, does not map years 0..99 to 1900..1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  // A rolled-over date such as 2023-02-30 (which would become March 2) is rejected.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return null;
  return date.getTime();
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
