// Grade bands as a table: rows of (grade, limit) tried in order, and the grade for everything
// else, compiled to the if-chain the engine runs. The studio keeps this typed description beside
// the rule (RuleSet.studio.grade) and edits the table only while the rule is still exactly what
// the table compiles to: a rule edited raw stays raw.
import { sameJson } from '../model/json.js';
import type { Issue } from '../model/errors.js';
import type { GradeBands } from '../model/ruleset.js';

/** The JSON-Logic the bands stand for: {"if": [{"<=": [{"var": "composite"}, 2.4]}, "Excellent", …, "Poor"]}. */
export function compileBands(bands: GradeBands): unknown {
  return {
    if: [
      ...bands.bands.flatMap((b) => [{ [bands.comparison]: [{ var: 'composite' }, b.limit] }, b.grade]),
      bands.otherwise,
    ],
  };
}

/**
 * The bands a grade rule is, when it is: the studio's own description if the rule is still what it
 * compiles to, else a rule written exactly as such a table would be (one comparison of the
 * composite with a number per band, the same comparison throughout, names as results); undefined
 * for anything else.
 */
export function bandsOf(rule: unknown, described?: GradeBands): GradeBands | undefined {
  if (described && sameJson(compileBands(described), rule)) return described;
  const chain = (rule as { if?: unknown } | null)?.if;
  if (!Array.isArray(chain) || chain.length < 3 || chain.length % 2 === 0) return undefined;
  const args = chain as unknown[];
  const bands: GradeBands['bands'] = [];
  let comparison: GradeBands['comparison'] | undefined;
  for (let i = 0; i + 1 < args.length; i += 2) {
    const condition = args[i] as Record<string, unknown> | null;
    const grade = args[i + 1];
    if (!condition || typeof condition !== 'object' || typeof grade !== 'string') return undefined;
    const entries = Object.entries(condition);
    if (entries.length !== 1) return undefined;
    const [op, operands] = entries[0]!;
    if ((op !== '<=' && op !== '>=') || (comparison && op !== comparison)) return undefined;
    comparison = op;
    if (!Array.isArray(operands) || operands.length !== 2) return undefined;
    const [variable, limit] = operands as unknown[];
    if (!sameJson(variable, { var: 'composite' }) || typeof limit !== 'number') return undefined;
    bands.push({ grade, limit });
  }
  const otherwise = args.at(-1);
  if (typeof otherwise !== 'string' || !comparison) return undefined;
  return { kind: 'bands', comparison, bands, otherwise };
}

/**
 * What is wrong with a table, each at its row (/bands/<i>/limit or /grade): a band no composite can
 * reach (its limit not beyond the row above: the bands would overlap and it would be empty), a
 * name given twice or not at all.
 */
export function bandProblems(bands: GradeBands): Issue[] {
  const issues: Issue[] = [];
  const seen = new Set<string>();
  bands.bands.forEach((band, i) => {
    const row = i + 1;
    if (!band.grade.trim())
      issues.push({ pointer: `/bands/${i}/grade`, message: `Row ${row}: name the grade.` });
    else if (seen.has(band.grade))
      issues.push({ pointer: `/bands/${i}/grade`, message: `Row ${row}: ${band.grade} is named twice.` });
    seen.add(band.grade);
    if (!Number.isFinite(band.limit)) {
      issues.push({ pointer: `/bands/${i}/limit`, message: `Row ${row}: the limit must be a number.` });
      return;
    }
    const above = bands.bands[i - 1];
    if (!above || !Number.isFinite(above.limit)) return;
    const reachable = bands.comparison === '<=' ? band.limit > above.limit : band.limit < above.limit;
    if (!reachable) {
      issues.push({
        pointer: `/bands/${i}/limit`,
        message: `Row ${row}: ${band.limit} is not ${bands.comparison === '<=' ? 'above' : 'below'} row ${i}'s ${above.limit}, so the bands overlap and ${band.grade || 'this grade'} would never be given.`,
      });
    }
  });
  if (!bands.otherwise.trim())
    issues.push({ pointer: '/otherwise', message: 'Name the grade for every other composite.' });
  else if (seen.has(bands.otherwise))
    issues.push({ pointer: '/otherwise', message: `${bands.otherwise} is named twice.` });
  if (bands.bands.length === 0) issues.push({ pointer: '/bands', message: 'Give at least one band.' });
  return issues;
}

/** What each range of the composite is graded, for the number-line preview: "at most 2.4: Excellent". */
export function bandRanges(bands: GradeBands): { range: string; grade: string }[] {
  const word = bands.comparison === '<=' ? 'at most' : 'at least';
  const ranges = bands.bands.map((b, i) => {
    const previous = bands.bands[i - 1];
    const from = previous ? `${bands.comparison === '<=' ? 'above' : 'below'} ${previous.limit} and ` : '';
    return { range: `${from}${word} ${b.limit}`, grade: b.grade };
  });
  const last = bands.bands.at(-1);
  if (last)
    ranges.push({
      range: `${bands.comparison === '<=' ? 'above' : 'below'} ${last.limit}`,
      grade: bands.otherwise,
    });
  return ranges;
}
