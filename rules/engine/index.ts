// Temporary engine: json-logic-js with the domain operators the built-in rule sets need.
// Replaced by Covenant's own compiler (issue 4) behind the same exports.
import jsonLogic from 'json-logic-js';

export class RuleError extends Error {
  constructor(
    message: string,
    readonly pointer: string,
  ) {
    super(message);
    this.name = 'RuleError';
  }
}

type Point = [number, number];

function interpolate(x: unknown, points: unknown): number | null {
  if (typeof x !== 'number' || !Number.isFinite(x) || !Array.isArray(points) || points.length === 0) return null;
  const sorted = (points as Point[]).slice().sort((a, b) => a[0] - b[0]);
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  if (x <= first[0]) return first[1];
  if (x >= last[0]) return last[1];
  for (let i = 1; i < sorted.length; i++) {
    const [x1, y1] = sorted[i]!;
    const [x0, y0] = sorted[i - 1]!;
    if (x <= x1) return x1 === x0 ? y1 : y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
  }
  return last[1];
}

jsonLogic.add_operation('interpolate', interpolate);
jsonLogic.add_operation('clamp', (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x)));
jsonLogic.add_operation('round', (x: number, digits = 0) => {
  const f = 10 ** digits;
  return Math.round((x + Number.EPSILON) * f) / f;
});
jsonLogic.add_operation('abs', (x: number) => Math.abs(x));

export function compile(rule: unknown): (data: unknown) => unknown {
  return (data) => jsonLogic.apply(rule as jsonLogic.RulesLogic, data);
}

export function evaluate(rule: unknown, data: unknown): unknown {
  return jsonLogic.apply(rule as jsonLogic.RulesLogic, data);
}
