// Covenant's numeric operators. They take finite numbers only: anything else (strings, null, NaN,
// Infinity) yields null, so a missing value never turns into a plausible score.

const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * round(x, digits = 0): half away from zero on the decimal representation, so round(1.005, 2) is
 * 1.01 although 1.005 is stored as 1.00499999999999989...
 */
export function round(x: unknown, digits: unknown = 0): number | null {
  if (!isFiniteNumber(x)) return null;
  const places = digits === undefined || digits === null ? 0 : digits;
  if (!Number.isInteger(places) || (places as number) < -20 || (places as number) > 20) return null;
  const d = places as number;
  const magnitude = Math.abs(x);
  if (d >= 0 && d <= 22) {
    const power = POW10[d]!;
    const product = magnitude * power;
    if (product < 1e7) {
      const floor = Math.floor(product);
      const frac = product - floor;
      if (Math.abs(frac - 0.5) > 1e-6) {
        const r = (frac > 0.5 ? floor + 1 : floor) / power;
        return r === 0 ? 0 : x < 0 ? -r : r;
      }
    }
  }
  const scaled = shiftDecimal(magnitude, d);
  // Beyond 2^52 every double is an integer: nothing is left to round at this precision.
  if (!(scaled < 2 ** 52)) return x;
  const rounded = shiftDecimal(Math.round(scaled), -d);
  return rounded === 0 ? 0 : x < 0 ? -rounded : rounded;
}

export function abs(x: unknown): number | null {
  return isFiniteNumber(x) ? Math.abs(x) : null;
}

/** clamp(x, lo, hi); null when lo > hi. */
export function clamp(x: unknown, lo: unknown, hi: unknown): number | null {
  if (!isFiniteNumber(x) || !isFiniteNumber(lo) || !isFiniteNumber(hi) || lo > hi) return null;
  return x < lo ? lo : x > hi ? hi : x;
}

export type Point = readonly [number, number];

/** Points as [[x, y], ...] of finite numbers, sorted by x; null when malformed or empty. */
export function toPoints(points: unknown): Point[] | null {
  if (!Array.isArray(points) || points.length === 0) return null;
  const out: Point[] = [];
  for (const point of points as unknown[]) {
    if (!Array.isArray(point) || point.length !== 2) return null;
    const [px, py] = point as unknown[];
    if (!isFiniteNumber(px) || !isFiniteNumber(py)) return null;
    out.push([px, py]);
  }
  // A stable sort keeps the given order of points that share an x (a step).
  return out.sort((a, b) => a[0] - b[0]);
}

/**
 * interpolate(x, points): piecewise-linear through the points, clamped to the end values outside
 * their range; at a step (two points with the same x) x itself takes the first point's y.
 */
export function interpolate(x: unknown, points: unknown): number | null {
  if (!isFiniteNumber(x) || !Array.isArray(points) || points.length === 0) return null;
  const n = points.length;
  let prev = 0;
  let dir = 0;
  for (let i = 0; i < n; i++) {
    const p = points[i] as unknown;
    if (!Array.isArray(p) || p.length !== 2 || !isFiniteNumber(p[0]) || !isFiniteNumber(p[1])) return null;
    if (i > 0) {
      const d = p[0] > prev ? 1 : p[0] < prev ? -1 : 0;
      if (d === 0 || (dir !== 0 && d !== dir)) return interpolateSorted(x, toPoints(points));
      dir = d;
    }
    prev = p[0];
  }
  const lo = (dir < 0 ? points[n - 1] : points[0]) as [number, number];
  const hi = (dir < 0 ? points[0] : points[n - 1]) as [number, number];
  if (x <= lo[0]) return lo[1];
  if (x >= hi[0]) return hi[1];
  for (let k = 1; k < n; k++) {
    const b = (dir < 0 ? points[n - 1 - k] : points[k]) as [number, number];
    if (x <= b[0]) {
      const a = (dir < 0 ? points[n - k] : points[k - 1]) as [number, number];
      return a[1] + ((b[1] - a[1]) * (x - a[0])) / (b[0] - a[0]);
    }
  }
  return hi[1];
}

export function interpolateSorted(x: unknown, sorted: readonly Point[] | null): number | null {
  if (!isFiniteNumber(x) || sorted === null) return null;
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  if (x <= first[0]) return first[1];
  if (x >= last[0]) return last[1];
  for (let i = 1; i < sorted.length; i++) {
    const [x1, y1] = sorted[i]!;
    if (x <= x1) {
      // x > x0 here, so x0 < x1: no division by zero.
      const [x0, y0] = sorted[i - 1]!;
      return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
    }
  }
  return last[1];
}

/**
 * achievement(actual, target, direction): percent of target reached. 'higher' is better:
 * 100 * actual / target; 'lower' is better: 100 * target / actual. Null on a zero divisor.
 */
export function achievement(actual: unknown, target: unknown, direction: unknown): number | null {
  if (!isFiniteNumber(actual) || !isFiniteNumber(target)) return null;
  if (direction === 'higher') return target === 0 ? null : (100 * actual) / target;
  if (direction === 'lower') return actual === 0 ? null : (100 * target) / actual;
  return null;
}

/** n * 10^e computed on the decimal text of n, not by a binary multiplication. */
function shiftDecimal(n: number, e: number): number {
  const [mantissa, exponent = '0'] = String(n).split('e');
  return Number(`${mantissa}e${Number(exponent) + e}`);
}
