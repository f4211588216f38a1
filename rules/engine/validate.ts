// Checks a rule for its author, before it is published: the same limits and allow-list the engine
// enforces, plus what it cannot enforce at run time: arity, variable names and types, and comparisons
// that let missing data pass for success.
import { joinArray, toText } from './coerce.js';
import { parseInstant } from './dates.js';
import { childPointer } from './errors.js';
import { checkRuleLimits } from './limits.js';
import { toPoints } from './numbers.js';
import { findOperator, type OperatorSpec } from './operators.js';
import { isOperation, operationArgs, unknownOperatorMessage } from './parse.js';
import { FORBIDDEN_SEGMENTS } from './paths.js';

export interface Diagnostic {
  severity: 'error' | 'warning';
  /** JSON pointer (RFC 6901) into the rule. */
  pointer: string;
  message: string;
}

export type VariableType = 'number' | 'string' | 'boolean' | 'null' | 'array' | 'object';

/** What a rule may read at one path. Without `properties` (or `items`), anything below it is accepted. */
export interface VariableSpec {
  type?: VariableType | readonly VariableType[];
  description?: string;
  /** Fields of an object. */
  properties?: Readonly<Record<string, VariableSpec>>;
  /** The items of an array: what {"var": ...} reads inside map, filter, all, none and some. */
  items?: VariableSpec;
  /**
   * Null only by being absent, never set to null: {"var": [name, default]} then gives the default
   * (json-logic-js returns a default for a missing value, not for a null one).
   */
  absentWhenNull?: boolean;
}

export interface ValidationContext {
  variables: Readonly<Record<string, VariableSpec>>;
}

export function validateRule(rule: unknown, context?: ValidationContext): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  checkRuleLimits(rule, (issue) =>
    diagnostics.push({ severity: 'error', pointer: issue.pointer, message: issue.message }),
  );
  // Only a rule within the limits is walked further: the walk below trusts depth and size.
  if (diagnostics.length > 0) return diagnostics;
  const root: VariableSpec | undefined = context
    ? { type: 'object', properties: context.variables }
    : undefined;
  new Validator(diagnostics).walk(rule, '', { spec: root, nonNull: new Set() });
  return diagnostics;
}

interface Scope {
  /** The shape of the data here; undefined when unknown (no variable checks). */
  spec: VariableSpec | undefined;
  /** Paths known not to be null here, from enclosing guards such as {"!=": [{"var": "actual"}, null]}. */
  nonNull: ReadonlySet<string>;
}

interface Arg {
  value: unknown;
  pointer: string;
}

const COMPARISONS = new Set(['<', '<=', '>', '>=', '==', '!=']);
/** Object.prototype's methods (toString, valueOf, hasOwnProperty, …): what a path can reach by inheritance. */
const INHERITED: ReadonlySet<string> = new Set(
  Object.getOwnPropertyNames(Object.prototype).filter(
    (name) => name !== '__proto__' && name !== 'constructor',
  ),
);
const ITEM_ITERATORS = new Set(['map', 'filter', 'all', 'none', 'some']);

class Validator {
  constructor(private readonly out: Diagnostic[]) {}

  walk(value: unknown, pointer: string, scope: Scope): void {
    if (Array.isArray(value)) {
      value.forEach((item: unknown, i) => this.walk(item, childPointer(pointer, i), scope));
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    if (!isOperation(value)) {
      const keys = Object.keys(value);
      if (keys.length > 1) {
        this.warn(
          pointer,
          `an object with ${keys.length} keys (${keys.slice(0, 3).join(', ')}) is a literal value, not an operation: an operation has exactly one key`,
        );
      }
      return;
    }
    const op = Object.keys(value)[0]!;
    const spec = findOperator(op);
    if (spec === undefined) {
      this.error(pointer, unknownOperatorMessage(op));
      return;
    }
    const args = operationArgs(value, op, pointer);
    this.checkArity(spec, args.length, pointer);
    switch (spec.kind) {
      case 'control':
        this.control(op, args, pointer, scope);
        return;
      case 'iterator':
        this.iterator(op, args, scope);
        return;
      default:
        break;
    }
    if (op === 'var') {
      this.variable(args, pointer, scope);
    } else {
      for (const arg of args) this.walk(arg.value, arg.pointer, scope);
    }
    if (COMPARISONS.has(op)) this.nullComparison(op, args, pointer, scope);
    if (spec.custom) this.customArguments(op, args);
  }

  private checkArity(spec: OperatorSpec, count: number, pointer: string): void {
    const [min, max] = spec.arity;
    if (count >= min && count <= max) {
      if (spec.name === 'if' && count >= 2 && count % 2 === 0) {
        this.warn(pointer, 'this "if" has no else: when no condition holds the result is null');
      }
      return;
    }
    const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    this.error(
      pointer,
      `"${spec.name}" takes ${expected} argument${expected === '1' ? '' : 's'}, not ${count} (${spec.summary})`,
    );
  }

  private control(op: string, args: Arg[], _pointer: string, scope: Scope): void {
    let known = new Set(scope.nonNull);
    if (op === 'and' || op === 'or') {
      for (const arg of args) {
        this.walk(arg.value, arg.pointer, { spec: scope.spec, nonNull: known });
        // Later operands run only when this one was truthy (and) or falsy (or).
        known = new Set([...known, ...nonNullWhen(arg.value, op === 'and')]);
      }
      return;
    }
    let i = 0;
    for (; i < args.length - 1; i += 2) {
      const condition = args[i]!;
      this.walk(condition.value, condition.pointer, { spec: scope.spec, nonNull: known });
      const then = args[i + 1]!;
      this.walk(then.value, then.pointer, {
        spec: scope.spec,
        nonNull: new Set([...known, ...nonNullWhen(condition.value, true)]),
      });
      known = new Set([...known, ...nonNullWhen(condition.value, false)]);
    }
    if (i < args.length) this.walk(args[i]!.value, args[i]!.pointer, { spec: scope.spec, nonNull: known });
  }

  private iterator(op: string, args: Arg[], scope: Scope): void {
    const [source, body, initial] = args;
    if (source) this.walk(source.value, source.pointer, scope);
    if (initial) this.walk(initial.value, initial.pointer, scope);
    const items = source ? this.itemSpec(source.value, scope) : undefined;
    // Inside an iterator, var reads the item (reduce: {current, accumulator}), not the outer data.
    const inner: VariableSpec | undefined = ITEM_ITERATORS.has(op)
      ? items
      : { type: 'object', properties: { current: items ?? {}, accumulator: {} } };
    if (body) this.walk(body.value, body.pointer, { spec: inner, nonNull: new Set() });
  }

  private itemSpec(source: unknown, scope: Scope): VariableSpec | undefined {
    const path = staticPath(source);
    if (path === undefined || path === null || scope.spec === undefined) return undefined;
    return resolve(scope.spec, path).spec?.items;
  }

  private variable(args: Arg[], pointer: string, scope: Scope): void {
    for (const arg of args) this.walk(arg.value, arg.pointer, scope);
    const path = staticPath({ var: args.map((a) => a.value) });
    if (path === undefined || path === null) return;
    const forbidden = path.find((segment) => FORBIDDEN_SEGMENTS.has(segment));
    if (forbidden !== undefined) {
      this.error(
        pointer,
        `the path "${path.join('.')}" uses "${forbidden}": __proto__, constructor and prototype are never readable (the value is always null)`,
      );
      return;
    }
    if (scope.spec === undefined) {
      // Without declared variables, a name every object inherits is surely a mistake.
      const inherited = path.find((segment) => INHERITED.has(segment));
      if (inherited !== undefined) {
        this.error(
          pointer,
          `"${inherited}" is inherited from Object.prototype, not data: only own properties are read, so the value is always null`,
        );
      }
      return;
    }
    const found = resolve(scope.spec, path);
    if (found.unknown !== undefined) this.error(pointer, found.unknown);
  }

  private nullComparison(op: string, args: Arg[], pointer: string, scope: Scope): void {
    if (scope.spec === undefined) return;
    const nullLiteral = args.some((a) => a.value === null);
    if ((op === '==' || op === '!=') && nullLiteral) return;
    for (const arg of args) {
      const path = variablePath(arg.value);
      if (path === undefined || scope.nonNull.has(path.join('.'))) continue;
      const found = resolve(scope.spec, path);
      if (found.spec === undefined || !found.nullable) continue;
      if (found.spec.absentWhenNull && this.nonNullDefault(arg.value, scope)) continue;
      const name = path.join('.');
      const consequence =
        op === '==' || op === '!='
          ? `null == x holds only when x is null too, so two missing values count as equal`
          : `comparisons treat null as 0 (null >= 0 is true, null < 1 is true), so missing data can look like success`;
      this.warn(
        pointer,
        `'${name}' can be null (missing data). In JSON-Logic ${consequence}. Check it first, e.g. {"and": [{"!=": [{"var": "${name}"}, null]}, …]}`,
      );
    }
  }

  /** Whether {"var": [path, default]} has a default that cannot be null (a literal, or a variable never null). */
  private nonNullDefault(rule: unknown, scope: Scope): boolean {
    if (!isOperation(rule) || !('var' in rule)) return false;
    const args = rule.var;
    if (!Array.isArray(args) || args.length < 2) return false;
    const fallback: unknown = args[1];
    if (fallback === null || fallback === undefined) return false;
    if (!isOperation(fallback)) return true;
    // Arithmetic always gives a number in JSON-Logic (null counts as 0).
    if (ARITHMETIC.has(Object.keys(fallback)[0]!)) return true;
    const path = variablePath(fallback);
    if (path === undefined || scope.spec === undefined) return false;
    if (scope.nonNull.has(path.join('.'))) return true;
    const found = resolve(scope.spec, path);
    return found.spec !== undefined && (!found.nullable || this.nonNullDefault(fallback, scope));
  }

  private customArguments(op: string, args: Arg[]): void {
    const literal = (i: number): unknown => args[i]?.value;
    const isLiteral = (i: number): boolean => i < args.length && !isOperationDeep(args[i]!.value);
    switch (op) {
      case 'interpolate':
        if (isLiteral(1) && toPoints(literal(1)) === null) {
          this.error(
            args[1]!.pointer,
            'interpolate needs points as [[x, y], ...]: a non-empty list of pairs of numbers',
          );
        }
        return;
      case 'achievement':
        if (isLiteral(2) && literal(2) !== 'higher' && literal(2) !== 'lower') {
          this.error(
            args[2]!.pointer,
            `achievement's direction must be "higher" or "lower", not ${JSON.stringify(literal(2))}`,
          );
        }
        return;
      case 'round': {
        const digits = literal(1);
        if (
          isLiteral(1) &&
          (typeof digits !== 'number' || !Number.isInteger(digits) || Math.abs(digits) > 20)
        ) {
          this.error(args[1]!.pointer, 'round takes a whole number of digits between -20 and 20');
        }
        return;
      }
      case 'clamp': {
        const [lo, hi] = [literal(1), literal(2)];
        if (isLiteral(1) && isLiteral(2) && typeof lo === 'number' && typeof hi === 'number' && lo > hi) {
          this.error(
            args[1]!.pointer,
            `clamp's lower bound ${lo} is above its upper bound ${hi}: the result would be null`,
          );
        }
        return;
      }
      case 'quarter': {
        const month = literal(1);
        if (
          isLiteral(1) &&
          (typeof month !== 'number' || !Number.isInteger(month) || month < 1 || month > 12)
        ) {
          this.error(args[1]!.pointer, "quarter's fiscal start month must be 1 (January) to 12 (December)");
        }
        break;
      }
      default:
        break;
    }
    // Date operators: a literal date must be one the engine reads.
    const dateArgs =
      op === 'add_days' || op === 'quarter'
        ? [0]
        : op.startsWith('date_') || op === 'days_between'
          ? [0, 1]
          : [];
    for (const i of dateArgs) {
      if (isLiteral(i) && parseInstant(literal(i)) === null) {
        this.error(
          args[i]!.pointer,
          `${JSON.stringify(literal(i))} is not a date: use "YYYY-MM-DD" or an ISO timestamp with Z or an offset`,
        );
      }
    }
  }

  private error(pointer: string, message: string): void {
    this.out.push({ severity: 'error', pointer, message });
  }

  private warn(pointer: string, message: string): void {
    this.out.push({ severity: 'warning', pointer, message });
  }
}

interface Resolved {
  spec: VariableSpec | undefined;
  nullable: boolean;
  unknown?: string;
}

/** Follows a path through the declared variables. */
const ARITHMETIC = new Set(['+', '-', '*', '/', '%']);

function resolve(root: VariableSpec, path: readonly string[]): Resolved {
  let spec: VariableSpec = root;
  let nullable = false;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!;
    const types = typesOf(spec);
    if (spec.properties !== undefined && Object.prototype.hasOwnProperty.call(spec.properties, segment)) {
      spec = spec.properties[segment]!;
    } else if (segment === 'length' && (types.includes('array') || types.includes('string'))) {
      return { spec: { type: 'number' }, nullable };
    } else if (spec.items !== undefined && /^\d+$/.test(segment)) {
      // An index may be past the end: the read can give null.
      spec = spec.items;
      nullable = true;
    } else if (spec.properties === undefined && spec.items === undefined) {
      return { spec: undefined, nullable };
    } else {
      const prefix = path.slice(0, i).join('.');
      const names = Object.keys(spec.properties ?? {});
      const full = (name: string): string => (prefix ? `${prefix}.${name}` : name);
      const guess = closest(segment, names);
      const hint =
        guess !== undefined
          ? `did you mean '${full(guess)}'?`
          : names.length > 0
            ? `known here: ${names.slice(0, 12).map(full).join(', ')}`
            : `'${prefix}' is a list: read its items with map, filter, reduce, all, some or none`;
      return { spec: undefined, nullable, unknown: `unknown variable '${path.join('.')}'; ${hint}` };
    }
    if (typesOf(spec).includes('null')) nullable = true;
  }
  return { spec, nullable };
}

function typesOf(spec: VariableSpec): readonly string[] {
  return spec.type === undefined ? [] : typeof spec.type === 'string' ? [spec.type] : spec.type;
}

/** The best match within edit distance max(2, a third of the name); case differences are free. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** Levenshtein distance where swapping two neighbouring letters costs 1 (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return a === b ? 0 : Math.max(a.length, b.length);
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}

/** The segments of {"var": path} when the path is a literal; null for "the whole data"; undefined otherwise. */
function staticPath(rule: unknown): string[] | null | undefined {
  if (!isOperation(rule) || !('var' in rule)) return undefined;
  const args = rule.var;
  const path: unknown = Array.isArray(args) ? args[0] : args;
  if (path === undefined || path === null || path === '') return null;
  if (isOperationDeep(path)) return undefined;
  return (Array.isArray(path) ? joinArray(path, ',', '') : toText(path, '')).split('.');
}

function variablePath(rule: unknown): string[] | undefined {
  const path = staticPath(rule);
  return path === null ? undefined : path;
}

function isOperationDeep(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(isOperationDeep);
  return isOperation(value);
}

/** Variables that cannot be null when `rule` evaluates truthy (when = true) or falsy (when = false). */
function nonNullWhen(rule: unknown, when: boolean): string[] {
  if (!isOperation(rule)) return [];
  const op = Object.keys(rule)[0]!;
  const raw = rule[op];
  const args: unknown[] = Array.isArray(raw) ? raw : [raw];
  const pathOf = (v: unknown): string | undefined => variablePath(v)?.join('.');
  switch (op) {
    case 'var':
      return when ? [pathOf(rule)].filter(isString) : [];
    case '!!':
      return nonNullWhen(args[0], when);
    case '!':
      return nonNullWhen(args[0], !when);
    case '!=':
    case '!==':
    case '==':
    case '===': {
      const negated = op.startsWith('!');
      if (when !== negated) return [];
      const [a, b] = args;
      return a === null ? [pathOf(b)].filter(isString) : b === null ? [pathOf(a)].filter(isString) : [];
    }
    case 'and':
      return when ? args.flatMap((a) => nonNullWhen(a, true)) : [];
    case 'or':
      return when ? [] : args.flatMap((a) => nonNullWhen(a, false));
    case 'missing':
      // {"missing": [...]} is falsy (an empty list) exactly when every key is present and not null.
      return when ? [] : (Array.isArray(args[0]) ? (args[0] as unknown[]) : args).filter(isString);
    default:
      return [];
  }
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}
