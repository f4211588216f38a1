// Whether two JSON values are the same, key order included: how the studio tells a rule still
// exactly what its table or template compiles to (a reordered rule counts as edited, never guessed).
export function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
