// Compiles a parsed rule to one JavaScript function. Safety of the generated code rests on three
// facts: identifiers are generated counters, every value from the rule enters as a JSON literal
// (or as a constant passed in), and only operators of the allow-list have code paths here.
// Speed comes from inlining the common operators, typing expressions statically to skip coercions,
// reading each `var` path at most once per scope and only where a branch needs it (inline, with a
// prototype test V8 folds away), and running iterators as plain loops, unrolled when small.
import { joinArray, toText } from './coerce.js';
import { RuleError } from './errors.js';
import { LIMITS } from './limits.js';
import { toPoints } from './numbers.js';
import { contains } from './operators.js';
import { ABSENT, type Node, type OpNode } from './parse.js';
import { isForbiddenPath } from './paths.js';
import { runtime, type Runtime } from './runtime.js';

export type CompiledRule = (data: unknown) => unknown;

export function compileTree(root: Node): CompiledRule {
  const { source, constants } = generate(root);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- see the header: no rule content becomes code.
  const factory = new Function('rt', 'K', source) as (
    rt: Runtime,
    constants: readonly unknown[],
  ) => CompiledRule;
  return factory(runtime, constants);
}

/** The generated JavaScript of a rule, for tests and for reading what a rule compiles to. */
export function compiledSource(root: Node): string {
  return generate(root).source;
}

function generate(root: Node): { source: string; constants: readonly unknown[] } {
  const generator = new Generator();
  const scope = new Scope(generator, 'root', 'd');
  const body = generator.expr(root, scope);
  const result =
    body.type & CONTAINER ? `$.result(${body.code}, ${generator.pointer(root.pointer)})` : body.code;
  const { declarations, statements } = scope.finish(generator);
  const source = [
    '"use strict";',
    'const $ = rt;',
    'const OP = Object.prototype, AP = Array.prototype;',
    // Reading from null or undefined reads from an empty object instead: absent, without a branch
    // that (as measured) costs V8 a third of a loop's speed.
    'const EMPTY = Object.freeze({});',
    ...generator.header,
    // `var`, not `let`: V8 then needs no hole check on each access.
    generator.iterators > 0 ? 'var steps = 0;' : '',
    ...generator.functions,
    'return function rule(d) {',
    '$.begin();',
    generator.iterators > 0 ? 'steps = 0;' : '',
    ...declarations,
    ...statements,
    `return ${result};`,
    '};',
  ].join('\n');
  return { source: generator.placeReads(source), constants: generator.constants };
}

// Static types as bit sets: what an expression can evaluate to.
const NUM = 1;
const STR = 2;
const BOOL = 4;
const NULL = 8;
const UNDEF = 16;
const ARR = 32;
const OBJ = 64;
const CONTAINER = ARR | OBJ;
const DEFINED = NUM | STR | BOOL | NULL | ARR | OBJ;
const ANY = DEFINED | UNDEF;

interface Expr {
  readonly code: string;
  readonly type: number;
  /** No evaluation can throw or allocate: a literal or a hoisted path read. */
  readonly pure: boolean;
  /** For a path read: the identifier of the raw value, equal to the value whenever it is a number. */
  readonly raw?: string;
  /** For a literal: its value. */
  readonly value?: unknown;
}

const NOT_CONSTANT = Symbol('not constant');

/**
 * Marks, in generated code, the start of a region: where the reads placed in it are evaluated. A
 * rule cannot produce this character in code: every string of a rule enters as JSON.stringify
 * output, which escapes control characters.
 */
const MARK = '\u0001';

/**
 * A part of a scope's code that may not run: a branch of `if`, an operand of `and`/`or` after the
 * first. Regions nest; each read is evaluated at the start of the innermost region holding all its
 * uses, so a value the rule does not need on this evaluation is not read.
 */
interface Region {
  readonly id: number;
  readonly parent: Region | undefined;
  readonly depth: number;
}

interface Read {
  readonly name: string;
  /** A comma expression assigning the value at the path to `name` (undefined when absent). */
  readonly assign: string;
  /** The read of the path one segment shorter, whose value this one reads from. */
  readonly parent: Read | undefined;
  readonly uses: Region[];
}

class Scope {
  private readonly reads = new Map<string, Read>();
  private readonly order: Read[] = [];
  private readonly temps: string[] = [];
  private readonly root: Region;
  private region: Region;

  constructor(
    generator: Generator,
    readonly kind: 'root' | 'item' | 'reduce',
    /** The identifier of the scope's data (root, item) or of the current item (reduce). */
    readonly data: string,
    /** In reduce: what the accumulator can be, when known to be a JSON primitive (0 otherwise). */
    readonly accumulator = 0,
  ) {
    this.root = generator.region(undefined);
    this.region = this.root;
  }

  /** The scope's data as `var ""` sees it; reduce's is a fresh {current, accumulator}. */
  dataExpr(): string {
    return this.kind === 'reduce' ? '{ current: cur, accumulator: acc }' : this.data;
  }

  temp(generator: Generator): string {
    const name = generator.fresh('t');
    this.temps.push(name);
    return name;
  }

  /** Opens a region inside the current one (close it with `leave`, innermost first). */
  enter(generator: Generator): Region {
    this.region = generator.region(this.region);
    return this.region;
  }

  leave(region: Region): void {
    this.region = region.parent!;
  }

  /** The identifier holding the raw value at a path (undefined when absent), read once per scope run. */
  read(generator: Generator, segments: readonly string[]): string {
    const read = this.lookup(generator, segments);
    if (read === undefined) return 'undefined';
    read.uses.push(this.region);
    return read.name;
  }

  private lookup(generator: Generator, segments: readonly string[]): Read | undefined {
    const key = JSON.stringify(segments);
    const known = this.reads.get(key);
    if (known !== undefined) return known;
    const name = generator.fresh('r');
    let parent: Read | undefined;
    let assign: string;
    const last = segments[segments.length - 1]!;
    if (this.kind === 'reduce' && segments.length === 1) {
      // The reduce scope object has exactly two own properties.
      if (last === 'current') assign = `${name} = $.own(cur)`;
      else if (last === 'accumulator') assign = `${name} = $.own(acc)`;
      else return undefined;
    } else if (segments.length === 1) {
      assign = generator.keyRead(name, this.data, last, this.objectTemp(generator));
    } else if (
      this.kind === 'reduce' &&
      segments.length === 2 &&
      (segments[0] === 'current' || segments[0] === 'accumulator')
    ) {
      // Reading from the item itself: the key read refuses functions, symbols and bigints.
      const base = segments[0] === 'current' ? 'cur' : 'acc';
      assign = generator.keyRead(name, base, last, this.objectTemp(generator));
    } else {
      parent = this.lookup(generator, segments.slice(0, -1));
      if (parent === undefined) return undefined;
      assign = generator.keyRead(name, parent.name, last, this.objectTemp(generator));
    }
    const read: Read = { name, assign, parent, uses: [] };
    this.reads.set(key, read);
    this.order.push(read);
    return read;
  }

  /**
   * The temporary holding the object a read loads from: one per read, so that V8's feedback for
   * each load sees only the objects at that path.
   */
  private objectTemp(generator: Generator): string {
    return this.temp(generator);
  }

  /**
   * Places each read at the start of the innermost region holding all its uses (and those of the
   * reads below it), after the reads it depends on. Returns the scope's declarations and the reads
   * evaluated unconditionally; the others go to their regions' preludes.
   */
  finish(generator: Generator): { declarations: string[]; statements: string[] } {
    const places = new Map<Read, Region>();
    for (let i = this.order.length - 1; i >= 0; i--) {
      const read = this.order[i]!;
      const place = read.uses.reduce(commonRegion, read.uses[0] ?? this.root);
      places.set(read, place);
      read.parent?.uses.push(place);
    }
    const statements: string[] = [];
    for (const read of this.order) {
      const place = places.get(read)!;
      if (place === this.root) statements.push(`${read.assign};`);
      else generator.prelude(place, read.assign);
    }
    const names = [...this.order.map((read) => read.name), ...this.temps];
    return { declarations: names.length > 0 ? [`let ${names.join(', ')};`] : [], statements };
  }
}

/** The innermost region holding both. */
function commonRegion(a: Region, b: Region): Region {
  let [x, y] = [a, b];
  while (x.depth > y.depth) x = x.parent!;
  while (y.depth > x.depth) y = y.parent!;
  while (x !== y) [x, y] = [x.parent!, y.parent!];
  return x;
}

class Generator {
  readonly header: string[] = [];
  readonly functions: string[] = [];
  readonly constants: unknown[] = [];
  iterators = 0;
  private counter = 0;
  private readonly pointers = new Map<string, string>();
  private readonly preludes = new Map<number, string[]>();

  fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}${this.counter}`;
  }

  pointer(pointer: string): string {
    let name = this.pointers.get(pointer);
    if (name === undefined) {
      name = this.fresh('P');
      this.pointers.set(pointer, name);
      this.header.push(`const ${name} = ${literal(pointer)};`);
    }
    return name;
  }

  /**
   * A comma expression assigning to `target` the own property `key` of `base` when JSON could hold
   * it, else undefined. Inline, not a function: V8 then never has to decide whether to inline it.
   * The load comes first so that V8 knows the object's shape, which then folds the prototype test
   * to a constant: a plain object whose prototype lacks the key can only have it as its own.
   * Anything else (an array, a string, a null or foreign prototype, a polluted prototype, a value
   * that is a function) goes to the runtime, which asks Object.hasOwn.
   */
  keyRead(target: string, base: string, key: string, o: string): string {
    const index = /^(0|[1-9]\d{0,8})$/.test(key);
    const k = index ? key : literal(key);
    const json = ['number', 'string', 'boolean', 'object'].map((t) => `typeof ${target} === '${t}'`);
    // `in`, not a load: V8 would share one load's feedback between `OP.x` and `t.x` when the
    // temporary's register index equals OP's context slot, making the data load polymorphic.
    const plain = index
      ? `(Object.getPrototypeOf(${o}) === AP ? !(${k} in AP) : Object.getPrototypeOf(${o}) === OP && !(${k} in OP))`
      : `Object.getPrototypeOf(${o}) === OP && !(${k} in OP)`;
    const read =
      `${o} = ${base} ?? EMPTY, ${target} = ${o}[${k}], ${target} = (${json.join(' || ')}) && ${plain}` +
      ` ? ${target} : ${target} === undefined ? undefined : $.ownKey(${o}, ${k})`;
    if (key === 'length')
      return `${target} = Array.isArray(${base}) || typeof ${base} === 'string' ? ${base}.length : (${read})`;
    // Function.prototype's caller and arguments throw when read: a function is refused first.
    if (key === 'caller' || key === 'arguments')
      return `${target} = typeof ${base} === 'function' ? undefined : (${read})`;
    return read;
  }

  region(parent: Region | undefined): Region {
    this.counter += 1;
    return { id: this.counter, parent, depth: parent === undefined ? 0 : parent.depth + 1 };
  }

  /** Evaluates a read at the start of a region. */
  prelude(region: Region, assign: string): void {
    const list = this.preludes.get(region.id);
    if (list === undefined) this.preludes.set(region.id, [assign]);
    else list.push(assign);
  }

  /** Replaces each region mark by the reads placed there. */
  placeReads(source: string): string {
    const placed = source.replace(new RegExp(`${MARK}(\\d+)${MARK}`, 'g'), (_, id: string) => {
      const list = this.preludes.get(Number(id));
      return list === undefined ? '' : `${list.join(', ')}, `;
    });
    if (placed.includes(MARK)) throw new RuleError('internal: a region mark was left in the code', '');
    return placed;
  }

  /** Code that may not run: its own region, so that the reads only it needs happen only when it runs. */
  private conditional(scope: Scope, build: () => Expr): Expr {
    const region = scope.enter(this);
    const e = build();
    scope.leave(region);
    return { code: inRegion(region, e.code), type: e.type, pure: false };
  }

  constant(value: unknown): string {
    const name = this.fresh('K');
    this.header.push(`const ${name} = K[${this.constants.length}];`);
    this.constants.push(value);
    return name;
  }

  expr(node: Node, scope: Scope): Expr {
    switch (node.kind) {
      case 'literal':
        if (typeof node.value === 'object' && node.value !== null) {
          return { code: `$.clone(${this.constant(node.value)})`, type: OBJ, pure: false };
        }
        return { code: literal(node.value), type: typeOfValue(node.value), pure: true, value: node.value };
      case 'array':
        return {
          code: `[${node.items.map((item) => this.expr(item, scope).code).join(', ')}]`,
          type: ARR,
          pure: false,
        };
      case 'op':
        return this.operation(node, scope);
    }
  }

  private operation(node: OpNode, scope: Scope): Expr {
    const args = node.args;
    const arg = (i: number): Expr => this.expr(args[i] ?? ABSENT, scope);
    const p = (): string => this.pointer(node.pointer);
    const fits = (max: number): boolean => args.length <= max;
    const op = node.op;

    switch (op) {
      case 'var':
        if (fits(2)) return this.variable(node, scope);
        break;
      case 'if':
      case '?:':
        return this.ifChain(node, scope);
      case 'and':
      case 'or':
        return this.andOr(node, scope);
      case 'map':
      case 'filter':
      case 'reduce':
      case 'all':
      case 'none':
      case 'some':
        return this.iterator(node, scope);
      case '==':
      case '!=':
        if (fits(2)) {
          const [a, b] = [arg(0), arg(1)];
          const nullTest = againstNull(a, b, op === '==');
          if (nullTest !== undefined) return bool(nullTest);
          const native = (isPrimitive(a) && isPrimitive(b)) || onlyNullish(a) || onlyNullish(b);
          let code = native ? `${a.code} == ${b.code}` : `$.eq(${a.code}, ${b.code}, ${p()})`;
          // A pure operand against a primitive: compare natively unless it turns out to be an object.
          const [unknown, known] = isPrimitive(b) ? [a, b] : [b, a];
          // Both operands appear twice in the code: both must be pure, or nesting could grow it exponentially.
          if (!native && unknown.pure && known.pure && isPrimitive(known)) {
            // A path read whose default is null: its raw value is nullish exactly when the value is
            // null, and otherwise is the value. With another default, an absent path gives that
            // default, which can be an object: the value itself must be tested.
            const u = nullDefaultRaw(unknown) ?? unknown.code;
            code = `${u} == null || typeof ${u} !== 'object' ? ${a.code} == ${b.code} : ${code}`;
          }
          return bool(op === '==' ? `(${code})` : `!(${code})`);
        }
        break;
      case '===':
      case '!==':
        if (fits(2)) {
          const [a, b] = [arg(0), arg(1)];
          return bool(againstNull(a, b, op === '===') ?? `(${a.code} ${op} ${b.code})`);
        }
        break;
      case '<':
      case '<=':
      case '>':
      case '>=':
        if (fits(op.startsWith('<') ? 3 : 2)) return this.comparison(node, scope);
        break;
      case '!':
        if (fits(1)) return bool(`!${condition(arg(0))}`);
        break;
      case '!!':
        if (fits(1)) return bool(`!!${condition(arg(0))}`);
        break;
      case '+':
        return number(`(${['0', ...args.map((_, i) => parsed(arg(i), p))].join(' + ')})`);
      case '*':
        if (args.length === 1) return arg(0);
        if (args.length > 1) {
          let code = `${parsed(arg(0), p, true)} * ${parsed(arg(1), p, true)}`;
          for (let i = 2; i < args.length; i++) code = `(${code} + 0) * ${parsed(arg(i), p, true)}`;
          return number(`(${code})`);
        }
        break;
      case '-':
        if (fits(2)) {
          const a = arg(0);
          if (args.length < 2) return number(`(-${numeric(a, p)})`);
          const b = arg(1);
          if (b.type & UNDEF) return number(`$.minus(${a.code}, ${b.code}, ${p()})`);
          return number(`(${numeric(a, p)} - ${numeric(b, p)})`);
        }
        break;
      case '/':
      case '%':
        if (fits(2)) return number(`(${numeric(arg(0), p)} ${op} ${numeric(arg(1), p)})`);
        break;
      case 'min':
      case 'max':
        return number(`Math.${op}(${args.map((_, i) => numeric(arg(i), p)).join(', ')})`);
      case 'in':
        if (fits(2)) return this.contains(node, scope);
        break;
      case 'cat': {
        const parts = args
          .map((_, i) => arg(i))
          .map((e) => (e.type & ~(NUM | STR | BOOL) ? `$.text(${e.code}, ${p()})` : e.code));
        return { code: `$.checkText(${['""', ...parts].join(' + ')}, ${p()})`, type: STR, pure: false };
      }
      case 'log':
        if (fits(1)) return arg(0);
        break;
      case 'interpolate':
        if (fits(2)) {
          const points = constantValue(args[1] ?? ABSENT);
          if (points !== NOT_CONSTANT) {
            return {
              code: `$.interpolateSorted(${arg(0).code}, ${this.constant(toPoints(points))})`,
              type: NUM | NULL,
              pure: false,
            };
          }
        }
        break;
    }
    const custom = CUSTOM_CALLS[op];
    if (custom !== undefined && fits(custom.arity)) {
      const values = Array.from({ length: custom.arity }, (_, i) =>
        i < args.length ? arg(i).code : 'undefined',
      );
      return { code: `$.${custom.helper}(${values.join(', ')})`, type: custom.type, pure: false };
    }
    return this.generic(node, scope);
  }

  /** Any value operator, called from the table exactly as the interpreter calls it. */
  private generic(node: OpNode, scope: Scope): Expr {
    const apply = node.spec.apply;
    if (apply === undefined) throw new RuleError(`operator "${node.op}" cannot be compiled`, node.pointer);
    const values = node.args.map((a) => this.expr(a, scope).code);
    const type = GENERIC_TYPES[node.op] ?? ANY;
    return {
      code: `${this.constant(apply)}([${values.join(', ')}], ${scope.dataExpr()}, ${this.pointer(node.pointer)})`,
      type,
      pure: false,
    };
  }

  private variable(node: OpNode, scope: Scope): Expr {
    const [pathNode = ABSENT, defaultNode] = node.args;
    const fallback = defaultNode === undefined ? null : this.expr(defaultNode, scope);
    const path = constantValue(pathNode);
    if (path === NOT_CONSTANT) {
      const code = `$.readVar(${scope.dataExpr()}, ${this.expr(pathNode, scope).code}, ${fallback?.code ?? 'undefined'}, ${this.pointer(node.pointer)})`;
      return { code, type: ANY, pure: false };
    }
    // An impure default is evaluated first, as json-logic-js evaluates every argument.
    const eager = (code: string): string =>
      fallback !== null && !fallback.pure ? `(${fallback.code}, ${code})` : code;
    if (path === undefined || path === null || path === '') {
      const whole = scope.kind === 'reduce' ? `(${scope.dataExpr()})` : `$.whole(${scope.data})`;
      return { code: eager(whole), type: ANY, pure: false };
    }
    const segments = (
      typeof path === 'object' ? joinArray(path as unknown[], ',', node.pointer) : toText(path, node.pointer)
    ).split('.');
    if (isForbiddenPath(segments))
      return { code: eager('null'), type: NULL, pure: fallback === null || fallback.pure };
    if (scope.accumulator !== 0 && segments.length === 1 && segments[0] === 'accumulator') {
      // A primitive accumulator is its own value: no lookup, no coercion when it is a number.
      return { code: eager('acc'), type: scope.accumulator, pure: fallback === null || fallback.pure };
    }
    const raw = scope.read(this, segments);
    let otherwise = fallback ?? { code: 'null', type: NULL, pure: true };
    if (otherwise.pure && otherwise.type & UNDEF) {
      // json-logic-js turns an undefined default (`{"or": []}`) into null. Pure: it may appear twice.
      const c = otherwise.code;
      otherwise = {
        code: `(${c} === undefined ? null : ${c})`,
        type: (otherwise.type & ~UNDEF) | NULL,
        pure: true,
      };
    }
    if (otherwise.pure) {
      return {
        code: `(${raw} === undefined ? ${otherwise.code} : ${raw})`,
        type: DEFINED | otherwise.type,
        pure: true,
        raw,
      };
    }
    // json-logic-js turns an undefined default into null.
    const t = scope.temp(this);
    const value = otherwise.type & UNDEF ? `(${t} === undefined ? null : ${t})` : t;
    return {
      code: `(${t} = ${otherwise.code}, ${raw} === undefined ? ${value} : ${raw})`,
      type: DEFINED | otherwise.type,
      pure: false,
    };
  }

  /**
   * `c0 ? t0 : c1 ? t1 : e`. Each branch is a region, and so is all that follows a false condition
   * (nested: c2 runs only after c1). The code stays flat (a chain of thousands of conditions must
   * not nest as deep in parentheses): a region's reads go before the first code it runs, its
   * condition or the else, which is all the rest of it waits for.
   */
  private ifChain(node: OpNode, scope: Scope): Expr {
    const args = node.args;
    const parts: string[] = [];
    const afterFalse: Region[] = [];
    let type = 0;
    let i = 0;
    for (; i < args.length - 1; i += 2) {
      const test = condition(this.expr(args[i]!, scope));
      parts.push(`${i > 0 ? inRegion(afterFalse[afterFalse.length - 1]!, test) : test} ? `);
      const then = this.conditional(scope, () => this.expr(args[i + 1]!, scope));
      parts.push(`${then.code} : `);
      type |= then.type;
      // What runs when this condition is false.
      afterFalse.push(scope.enter(this));
    }
    let otherwise: Expr = { code: 'null', type: NULL, pure: true };
    if (args.length === i + 1) otherwise = this.expr(args[i]!, scope);
    for (let k = afterFalse.length - 1; k >= 0; k--) scope.leave(afterFalse[k]!);
    const last =
      afterFalse.length > 0 ? inRegion(afterFalse[afterFalse.length - 1]!, otherwise.code) : otherwise.code;
    return { code: `(${parts.join('')}${last})`, type: type | otherwise.type, pure: false };
  }

  /**
   * Each operand after the first is a region inside the previous one's: it runs only if they all
   * did. Flat code, as for `if`: each region's reads go before its operand.
   */
  private andOr(node: OpNode, scope: Scope): Expr {
    const regions: Region[] = [];
    const operands = node.args.map((a, i) => {
      if (i > 0) regions.push(scope.enter(this));
      return this.expr(a, scope);
    });
    for (let i = regions.length - 1; i >= 0; i--) scope.leave(regions[i]!);
    if (operands.length === 0) return { code: 'undefined', type: UNDEF, pure: true };
    const type = operands.reduce((t, e) => t | e.type, 0);
    const js = node.op === 'and' ? '&&' : '||';
    const code = (i: number, c: string): string => (i > 0 ? inRegion(regions[i - 1]!, c) : c);
    // Without arrays, JavaScript's && and || are JSON-Logic's and/or exactly.
    if (!operands.some((e) => e.type & ARR)) {
      return { code: `(${operands.map((e, i) => code(i, e.code)).join(` ${js} `)})`, type, pure: false };
    }
    // With arrays (an empty one is false): `t` takes each operand until one decides, and is the result.
    const t = scope.temp(this);
    const go = node.op === 'and' ? '$.truthy' : '!$.truthy';
    const steps = operands.map((e, i) =>
      code(i, i < operands.length - 1 ? `(${t} = ${e.code}, ${go}(${t}))` : `(${t} = ${e.code})`),
    );
    return { code: `(${steps.join(' && ')}, ${t})`, type, pure: false };
  }

  private comparison(node: OpNode, scope: Scope): Expr {
    const p = this.pointer(node.pointer);
    const [a, b] = [this.expr(node.args[0] ?? ABSENT, scope), this.expr(node.args[1] ?? ABSENT, scope)];
    const op = node.op;
    const helper = { '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' }[op as '<' | '<=' | '>' | '>='];
    const pair = (x: Expr, y: Expr): string => {
      if (isPrimitive(x) && isPrimitive(y)) return `${x.code} ${op} ${y.code}`;
      const call = `$.${helper}(${x.code}, ${y.code}, ${p})`;
      // Operands not known to be numbers are tested inline (so they must be pure, being evaluated
      // twice); numbers compare natively, anything else goes to the helper.
      const unknown = [x, y].filter((e) => e.type !== NUM);
      if (!unknown.every((e) => e.pure)) return call;
      // An impure number goes to a temp first: duplicating its code could grow exponentially with nesting.
      const [a, b] = [x, y].map((e): Expr =>
        e.pure ? e : { code: scope.temp(this), type: e.type, pure: true },
      );
      const setup = [x, y].flatMap((e, i) => (e.pure ? [] : [`${[a, b][i]!.code} = ${e.code}`]));
      const tests = unknown.map((e) => `typeof ${e.raw ?? e.code} === 'number'`);
      const value = (e: Expr): string => (e.type === NUM ? e.code : (e.raw ?? e.code));
      const test = `${tests.join(' && ')} ? ${value(a!)} ${op} ${value(b!)} : $.${helper}(${a!.code}, ${b!.code}, ${p})`;
      return setup.length > 0 ? `(${setup.join(', ')}, ${test})` : `(${test})`;
    };
    if (node.args.length < 3) return bool(`(${pair(a, b)})`);
    const c = this.expr(node.args[2]!, scope);
    // a < b < c: b is evaluated once; with a and c pure and c never undefined, a plain && is exact.
    if (a.pure && c.pure && !(c.type & UNDEF)) {
      const t = scope.temp(this);
      const middle: Expr = { code: t, type: b.type, pure: true };
      return bool(`(${t} = ${b.code}, ${pair(a, middle)} && ${pair(middle, c)})`);
    }
    return bool(`$.${helper}3(${a.code}, ${b.code}, ${c.code}, ${p})`);
  }

  private contains(node: OpNode, scope: Scope): Expr {
    const needle = this.expr(node.args[0] ?? ABSENT, scope);
    const haystack = constantValue(node.args[1] ?? ABSENT);
    if (Array.isArray(haystack) && haystack.every((v) => typeof v !== 'object' || v === null)) {
      // Primitive literals: Set#has and indexOf agree (no NaN can be a JSON literal).
      const k = this.constant(haystack.length > 8 ? new Set(haystack) : haystack);
      return bool(haystack.length > 8 ? `${k}.has(${needle.code})` : `(${k}.indexOf(${needle.code}) !== -1)`);
    }
    if (typeof haystack === 'string') {
      return bool(
        haystack === ''
          ? `(${needle.code}, false)`
          : `$.inString(${needle.code}, ${literal(haystack)}, ${this.pointer(node.pointer)})`,
      );
    }
    const b = this.expr(node.args[1] ?? ABSENT, scope);
    return bool(`${this.constant(contains)}(${needle.code}, ${b.code}, ${this.pointer(node.pointer)})`);
  }

  private iterator(node: OpNode, scope: Scope): Expr {
    const [sourceNode = ABSENT, bodyNode = ABSENT, initialNode] = node.args;
    const op = node.op;
    const source = this.expr(sourceNode, scope);
    const initialExpr: Expr | undefined =
      op === 'reduce'
        ? initialNode === undefined
          ? { code: 'null', type: NULL, pure: true }
          : this.expr(initialNode, scope)
        : undefined;
    const initial = initialExpr?.code ?? '';
    // Only a primitive that cannot be undefined qualifies (undefined would make `var` return its default).
    const initialType =
      initialExpr !== undefined && (initialExpr.type & (CONTAINER | UNDEF)) === 0 ? initialExpr.type : 0;
    const name = this.fresh('F');
    const p = this.pointer(node.pointer);
    this.iterators += 1;
    let inner = new Scope(this, op === 'reduce' ? 'reduce' : 'item', op === 'reduce' ? 'cur' : 'it');
    let body = this.expr(bodyNode, inner);
    if (op === 'reduce' && !containsReduce(bodyNode)) {
      // Typing the accumulator: assume it keeps the initial value's primitive type; keep the
      // result only if the body then gives that type. (Nested reduces are not retried, so
      // compilation stays linear.)
      const assumed = initialType;
      if (assumed !== 0) {
        const typed = new Scope(this, 'reduce', 'cur', assumed);
        const typedBody = this.expr(bodyNode, typed);
        if ((typedBody.type & ~assumed) === 0) {
          inner = typed;
          body = typedBody;
        }
      }
    }
    const item = (offset: number): string =>
      `const ${op === 'reduce' ? 'cur' : 'it'} = src[${offset === 0 ? 'i' : `i + ${offset}`}];`;
    const { declarations, statements } = inner.finish(this);
    const loop = (statement: string): string => {
      const simple = [item(0), ...statements, statement];
      const plain = ['for (; i < n; i++) {', ...simple, '}'];
      // A small body without loops of its own runs UNROLL items per turn: V8 checks the array
      // and the stack once per turn, not once per item (measured: a fifth faster on a sum).
      if (containsIterator(bodyNode) || simple.join('').length > MAX_UNROLLED_BODY)
        return ['let i = 0;', ...plain].join('\n');
      const turn = Array.from({ length: UNROLL }, (_, k) =>
        ['{', item(k), ...statements, statement, '}'].join('\n'),
      );
      return ['let i = 0;', `for (; i <= n - ${UNROLL}; i += ${UNROLL}) {`, ...turn, '}', ...plain].join(
        '\n',
      );
    };
    const start = (empty: string, params = 'src'): string[] => [
      `function ${name}(${params}) {`,
      `if (!Array.isArray(src)) return ${empty};`,
      'const n = src.length;',
      `if ((steps += n) > ${LIMITS.maxSteps} || n > ${LIMITS.maxValueLength}) $.iterate(n, steps, ${p});`,
      ...declarations,
    ];
    const test = condition(body);
    let lines: string[];
    switch (op) {
      case 'map':
        lines = [...start('[]'), 'const out = [];', loop(`out.push(${body.code});`), 'return out;'];
        break;
      case 'filter':
        lines = [...start('[]'), 'const out = [];', loop(`if (${test}) out.push(it);`), 'return out;'];
        break;
      case 'reduce':
        lines = [
          ...start('init', 'src, init'),
          'let acc = init;',
          loop(`acc = ${body.code};`),
          'return acc;',
        ];
        break;
      case 'all':
        lines = [
          ...start('false'),
          'if (n === 0) return false;',
          loop(`if (!(${test})) return false;`),
          'return true;',
        ];
        break;
      case 'none':
        lines = [...start('true'), loop(`if (${test}) return false;`), 'return true;'];
        break;
      default:
        lines = [...start('false'), loop(`if (${test}) return true;`), 'return false;'];
    }
    this.functions.push([...lines, '}'].join('\n'));
    const call = op === 'reduce' ? `${name}(${source.code}, ${initial})` : `${name}(${source.code})`;
    // A typed reduce gives its accumulator (or, for a non-array, the initial value): same type.
    const type = op === 'map' || op === 'filter' ? ARR : op === 'reduce' ? inner.accumulator || ANY : BOOL;
    return { code: call, type, pure: false };
  }
}

/** Custom operators compiled to a direct call of their runtime function. */
const CUSTOM_CALLS: Readonly<
  Record<string, { helper: keyof Runtime; arity: number; type: number } | undefined>
> = {
  round: { helper: 'round', arity: 2, type: NUM | NULL },
  abs: { helper: 'abs', arity: 1, type: NUM | NULL },
  clamp: { helper: 'clamp', arity: 3, type: NUM | NULL },
  interpolate: { helper: 'interpolate', arity: 2, type: NUM | NULL },
  achievement: { helper: 'achievement', arity: 3, type: NUM | NULL },
  days_between: { helper: 'daysBetween', arity: 2, type: NUM | NULL },
  add_days: { helper: 'addDays', arity: 2, type: STR | NULL },
  quarter: { helper: 'quarter', arity: 2, type: NUM | NULL },
  date_before: { helper: 'dateBefore', arity: 2, type: BOOL | NULL },
  date_after: { helper: 'dateAfter', arity: 2, type: BOOL | NULL },
};

const GENERIC_TYPES: Readonly<Record<string, number | undefined>> = {
  '==': BOOL,
  '===': BOOL,
  '!=': BOOL,
  '!==': BOOL,
  '<': BOOL,
  '<=': BOOL,
  '>': BOOL,
  '>=': BOOL,
  '!': BOOL,
  '!!': BOOL,
  in: BOOL,
  '-': NUM,
  '/': NUM,
  '%': NUM,
  cat: STR,
  substr: STR,
  merge: ARR,
  missing: ARR,
  missing_some: ARR,
};

/** A JavaScript literal for a JSON primitive; strings through JSON.stringify, line separators escaped. */
export function literal(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
        .replace(/\u2028/g, '\\u2028')
        .replace(/\u2029/g, '\\u2029');
    case 'number':
      if (Object.is(value, -0)) return '(-0)';
      if (!Number.isFinite(value)) throw new RuleError(`${value} is not a JSON number`, '', 'malformed');
      return value < 0 ? `(${String(value)})` : String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'undefined';
    default:
      if (value === null) return 'null';
      throw new RuleError(`a ${typeof value} cannot be a literal`, '', 'malformed');
  }
}

function typeOfValue(value: unknown): number {
  switch (typeof value) {
    case 'number':
      return NUM;
    case 'string':
      return STR;
    case 'boolean':
      return BOOL;
    case 'undefined':
      return UNDEF;
    default:
      return value === null ? NULL : Array.isArray(value) ? ARR : OBJ;
  }
}

/** The value of a node made only of primitive literals and arrays of them, known at compile time. */
function constantValue(node: Node): unknown {
  if (node.kind === 'literal')
    return typeof node.value === 'object' && node.value !== null ? NOT_CONSTANT : node.value;
  if (node.kind === 'op') return NOT_CONSTANT;
  const items = node.items.map(constantValue);
  return items.includes(NOT_CONSTANT) ? NOT_CONSTANT : items;
}

/** A region's code, preceded by its mark (where its reads will go). */
function inRegion(region: Region, code: string): string {
  return `(${MARK}${region.id}${MARK}${code})`;
}

/** Items per turn of an unrolled iterator loop, and the largest body (in characters of code) unrolled. */
const UNROLL = 4;
const MAX_UNROLLED_BODY = 2_000;

function containsIterator(node: Node): boolean {
  if (node.kind === 'array') return node.items.some(containsIterator);
  return node.kind === 'op' && (node.spec.kind === 'iterator' || node.args.some(containsIterator));
}

function containsReduce(node: Node): boolean {
  if (node.kind === 'array') return node.items.some(containsReduce);
  return node.kind === 'op' && (node.op === 'reduce' || node.args.some(containsReduce));
}

/**
 * `x == null` and `x === null` (negated when `equal` is false) for a path read whose default is
 * null: its raw value is nullish exactly then. Undefined when the pattern does not apply.
 */
function againstNull(a: Expr, b: Expr, equal: boolean): string | undefined {
  const [read, other] = b.value === null ? [a, b] : a.value === null ? [b, a] : [undefined, undefined];
  const raw = read === undefined ? undefined : nullDefaultRaw(read);
  if (raw === undefined || other === undefined) return undefined;
  return `(${raw} ${equal ? '==' : '!='} null)`;
}

/** For a path read whose default is null (absent reads null): the identifier of its raw value. */
function nullDefaultRaw(e: Expr): string | undefined {
  return e.raw !== undefined && e.code.endsWith(`? null : ${e.raw})`) ? e.raw : undefined;
}

function bool(code: string): Expr {
  return { code, type: BOOL, pure: false };
}

function number(code: string): Expr {
  return { code, type: NUM, pure: false };
}

function isPrimitive(e: Expr): boolean {
  return (e.type & CONTAINER) === 0;
}

function onlyNullish(e: Expr): boolean {
  return (e.type & ~(NULL | UNDEF)) === 0;
}

/** JSON-Logic truthiness as a JavaScript condition (only arrays need the helper). */
function condition(e: Expr): string {
  return e.type & ARR ? `$.truthy(${e.code})` : `(${e.code})`;
}

/** parseFloat semantics of "+" and "*"; `zero` turns -0 into 0 as parseFloat(String(-0)) does. */
function parsed(e: Expr, p: () => string, zero = false): string {
  if (typeof e.value === 'number') return literal(e.value + 0);
  if (e.type === NUM) return zero ? `(${e.code} + 0)` : e.code;
  // A pure expression may be evaluated twice: the number test inline, the rest in the helper.
  if (e.pure && e.type & NUM) {
    const n = e.raw ?? e.code;
    return `(typeof ${n} === 'number' ? ${n}${zero ? ' + 0' : ''} : $.pf(${e.code}, ${p()}))`;
  }
  return `$.pf(${e.code}, ${p()})`;
}

/** ToNumber semantics of "-", "/", "%", min and max. */
function numeric(e: Expr, p: () => string): string {
  if (e.type === NUM) return e.code;
  if (e.pure && e.type & NUM) {
    const n = e.raw ?? e.code;
    return `(typeof ${n} === 'number' ? ${n} : $.num(${e.code}, ${p()}))`;
  }
  return `$.num(${e.code}, ${p()})`;
}
