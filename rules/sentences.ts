// Rules in words: a JSON-Logic rule read as an English sentence for people who do not read JSON
// ("If the composite is at most 2.4, the grade is Excellent; …"). The shapes rule sets use most
// (comparisons, membership, if-chains, sums and counts over the indicators, interpolation) read
// naturally; anything else is still described operator by operator, never guessed at.

type Rule = unknown;

/** What well-known variables are called in words. */
const NAMES: Record<string, string> = {
  composite: 'the composite',
  grade: 'the grade',
  score: 'the score',
  actual: 'the actual',
  target: 'the target',
  baseline: 'the baseline',
  weight: 'the weight',
  direction: 'the direction',
  periodTarget: "the quarter's target",
  periodBaseline: "the quarter's baseline",
  indicators: 'the indicators',
  'previous.last.grade': "the previous period's grade",
  'previous.last.composite': "the previous period's composite",
  'current.weight': "the indicator's weight",
  'current.score': "the indicator's score",
  'current.target': "the indicator's target",
  'current.actual': "the indicator's actual",
  'current.baseline': "the indicator's baseline",
  daysLate: 'the days late',
};

const COMPARISONS: Record<string, string> = {
  '==': 'is',
  '===': 'is',
  '!=': 'is not',
  '!==': 'is not',
  '<': 'is below',
  '<=': 'is at most',
  '>': 'is above',
  '>=': 'is at least',
};

const ARITHMETIC: Record<string, string> = {
  '+': 'plus',
  '-': 'minus',
  '*': 'times',
  '/': 'divided by',
  '%': 'modulo',
};

/** The rule as a sentence fragment ("the composite is at most 2.4"). */
export function describeRule(rule: Rule): string {
  return phrase(rule);
}

/**
 * A value rule whose result is chosen by conditions (a grade's bands, a score's steps), as one
 * sentence per branch: "If the composite is at most 2.4, the result is Excellent."
 */
export function describeChoice(rule: Rule, result = 'the result'): string[] {
  const branches = ifChain(rule);
  if (!branches) return [`${capitalise(result)} is ${phrase(rule)}.`];
  return branches.map(({ when, then }, i) =>
    when === undefined
      ? `${i === 0 ? capitalise(result) : `Otherwise ${result}`} is ${phrase(then)}.`
      : `${i === 0 ? 'If' : 'Otherwise, if'} ${phrase(when)}, ${result} is ${phrase(then)}.`,
  );
}

/** A condition as a sentence: "When the grade is Fair or Poor." */
export function describeCondition(rule: Rule, lead = 'When'): string {
  return `${lead} ${phrase(rule)}.`;
}

function phrase(rule: Rule): string {
  if (rule === null) return 'nothing (missing)';
  if (typeof rule === 'string') return rule === '' ? 'an empty text' : rule;
  if (typeof rule === 'number' || typeof rule === 'boolean') return String(rule);
  if (Array.isArray(rule)) return list(rule.map(phrase), 'and');
  if (typeof rule !== 'object') return typeof rule;
  const entries = Object.entries(rule as Record<string, unknown>);
  if (entries.length !== 1) return JSON.stringify(rule);
  const [op, raw] = entries[0]!;
  const args = Array.isArray(raw) ? raw : [raw];
  switch (op) {
    case 'var':
      return variable(args);
    case 'missing':
      return `${list(args.map(phrase), 'or')} is missing`;
    case 'in':
      return membership(args[0], args[1]);
    case 'and':
      return list(args.map(phrase), 'and');
    case 'or':
      return list(args.map(phrase), 'or');
    case '!':
      return `it is not so that ${phrase(args[0])}`;
    case '!!':
      return `${phrase(args[0])} is given`;
    case 'if':
    case '?:':
      return (ifChain(rule) ?? [])
        .map(({ when, then }) =>
          when === undefined ? `otherwise ${phrase(then)}` : `${phrase(then)} if ${phrase(when)}`,
        )
        .join('; ');
    case 'round':
      return `${phrase(args[0])} rounded to ${args[1] ?? 0} decimal${args[1] === 1 ? '' : 's'}`;
    case 'abs':
      return `the size of ${phrase(args[0])}`;
    case 'min':
    case 'max':
      return `the ${op === 'min' ? 'smaller' : 'larger'} of ${list(args.map(phrase), 'and')}`;
    case 'reduce':
      return reduction(args);
    case 'map':
      return `${phrase(args[1])} for each of ${phrase(args[0])}`;
    case 'filter':
      return `those of ${phrase(args[0])} where ${phrase(args[1])}`;
    case 'all':
    case 'some':
    case 'none':
      return `${op === 'all' ? 'every one' : op === 'some' ? 'at least one' : 'none'} of ${phrase(args[0])} ${op === 'none' ? 'has' : 'has'}: ${phrase(args[1])}`;
    case 'interpolate':
      return interpolation(args);
    case 'cat':
      return `the text ${list(args.map(phrase), 'and')} joined`;
    default:
      if (op in COMPARISONS) return comparison(op, args);
      if (op in ARITHMETIC) return args.map(phrase).join(` ${ARITHMETIC[op]} `);
      return `${op} of ${list(args.map(phrase), 'and')}`;
  }
}

function variable(args: unknown[]): string {
  const [path, fallback] = args;
  if (typeof path !== 'string') return `the value named by ${phrase(path)}`;
  const criteria = /^criteria\.(.+)$/.exec(path);
  const name = criteria
    ? `the indicator's "${criteria[1]}" criterion`
    : (NAMES[path] ?? (path === '' ? 'the value' : `the ${path.replaceAll('.', "'s ")}`));
  return fallback === undefined ? name : `${name} (else ${phrase(fallback)})`;
}

function comparison(op: string, args: unknown[]): string {
  if (args.length === 3) {
    // {"<": [a, b, c]}: b lies between a and c.
    return `${phrase(args[1])} lies between ${phrase(args[0])} and ${phrase(args[2])}${op === '<=' ? ' (inclusive)' : ''}`;
  }
  const [left, right] = args;
  if (right === null && (op === '==' || op === '===')) return `${phrase(left)} is missing`;
  if (right === null && (op === '!=' || op === '!==')) return `${phrase(left)} is given`;
  return `${phrase(left)} ${COMPARISONS[op]} ${phrase(right)}`;
}

function membership(item: unknown, within: unknown): string {
  if (Array.isArray(within)) return `${phrase(item)} is ${list(within.map(phrase), 'or')}`;
  return `${phrase(item)} is in ${phrase(within)}`;
}

/** Sums and counts over a list, the two reductions rule sets write most. */
function reduction(args: unknown[]): string {
  const [over, step, initial] = args;
  const plus =
    step && typeof step === 'object' && '+' in step ? (step as { '+': unknown[] })['+'] : undefined;
  if (
    Array.isArray(plus) &&
    plus.length === 2 &&
    isVar(plus[0], 'accumulator') &&
    (initial === 0 || initial === undefined)
  ) {
    const added = plus[1];
    if (added === 1) return `the number of ${phrase(over)}`;
    return `the sum of ${phrase(added)} over ${phrase(over)}`;
  }
  return `${phrase(step)} accumulated over ${phrase(over)}, from ${phrase(initial)}`;
}

/** interpolate(x, [[x1, y1], [x2, y2], …]): the points between which the value is read. */
function interpolation(args: unknown[]): string {
  const [x, points] = args;
  if (!Array.isArray(points)) return `${phrase(x)} interpolated on ${phrase(points)}`;
  const described = points.map((p) =>
    Array.isArray(p) && p.length === 2 ? `${phrase(p[1])} at ${phrase(p[0])}` : phrase(p),
  );
  return `${phrase(x)} read on a straight line between ${list(described, 'and')} (held at the ends)`;
}

function ifChain(rule: Rule): { when?: unknown; then: unknown }[] | undefined {
  if (!rule || typeof rule !== 'object' || Array.isArray(rule)) return undefined;
  const args = (rule as Record<string, unknown>).if ?? (rule as Record<string, unknown>)['?:'];
  if (!Array.isArray(args)) return undefined;
  const branches: { when?: unknown; then: unknown }[] = [];
  let i = 0;
  for (; i + 1 < args.length; i += 2) branches.push({ when: args[i], then: args[i + 1] });
  if (i < args.length) {
    // A nested if in the else branch continues the chain.
    const rest = ifChain(args[i]);
    if (rest) branches.push(...rest);
    else branches.push({ then: args[i] });
  }
  return branches;
}

function isVar(rule: unknown, name: string): boolean {
  if (!rule || typeof rule !== 'object') return false;
  const value = (rule as Record<string, unknown>).var;
  return value === name || (Array.isArray(value) && value[0] === name);
}

function list(items: string[], joiner: 'and' | 'or'): string {
  if (items.length <= 1) return items[0] ?? 'nothing';
  return `${items.slice(0, -1).join(', ')} ${joiner} ${items.at(-1)}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
