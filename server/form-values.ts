// What the application's forms post and are refused, read the same way on every page: a field's
// one value or its many (checkboxes), and refusals sorted by the field their JSON pointer names.
import type { Issue } from '../model/errors.js';

/**
 * Issues by field: the groups `field` captures from a pointer, joined by '/' (e.g. "bands/2/limit");
 * those it does not match concern no field and are shown above the form.
 */
export function fieldErrors(
  issues: readonly Issue[],
  field: RegExp,
): { fields: Map<string, string>; general: string[] } {
  const fields = new Map<string, string>();
  const general: string[] = [];
  for (const issue of issues) {
    const match = field.exec(issue.pointer);
    if (match) fields.set(decodeURIComponent(match.slice(1).filter(Boolean).join('/')), issue.message);
    else general.push(issue.message);
  }
  return { fields, general };
}

/** A posted field's value (the first, when it came more than once). */
export function one(value: string | string[] | undefined): string {
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

/** A posted field's values (ticked checkboxes of one name). */
export function many(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/**
 * A typed number: "2.5", or "2,5" / "2,25" with a decimal comma; NaN for anything else, "1,000"
 * too (a thousand, or one? refused rather than guessed).
 */
export function decimal(text: string): number {
  const typed = text.trim();
  if (typed === '') return NaN;
  return Number(/^-?\d+,\d{1,2}$/.test(typed) ? typed.replace(',', '.') : typed);
}
