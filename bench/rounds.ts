/**
 * Repeated measurements on a shared, noisy machine: a figure is the median of its rounds,
 * reported with their range, and the order of the runs within a round alternates so a slow
 * drift of the machine's load does not favour whichever run comes first.
 */

/** The median of a round's values and their range (min–max); NaN for no values. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  /** How many values (rounds) it summarises. */
  n: number;
}

/** The median (the mean of the two middle values for an even count); NaN for none. NaN values sort last. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => (Number.isNaN(a) ? 1 : Number.isNaN(b) ? -1 : a - b));
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function spread(xs: readonly number[]): Spread {
  if (xs.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
}

/** Whether round `round` (0-based) runs in reverse order: the odd ones (rounds 2, 4, … counted from 1). */
export const reversedRound = (round: number) => round % 2 === 1;

/** The runs of round `round` (0-based): as given in even rounds, reversed in odd ones. */
export function roundOrder<T>(runs: readonly T[], round: number): T[] {
  return reversedRound(round) ? [...runs].reverse() : [...runs];
}

/**
 * `median (min–max)`, each value written by `format` (default: whole numbers), or the median
 * alone for a single round; `–` when there is no value.
 */
export function formatSpread(s: Spread, format: (x: number) => string = (x) => x.toFixed(0)): string {
  if (s.n === 0 || !Number.isFinite(s.median)) return '–';
  return s.n === 1 ? format(s.median) : `${format(s.median)} (${format(s.min)}–${format(s.max)})`;
}
