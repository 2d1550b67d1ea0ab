/**
 * 95 % confidence intervals over independent replications: mean ± t(0.975, n−1) · s / √n.
 * Replications are independent (different streams), so the classic t interval applies;
 * it is what Law (Simulation Modeling and Analysis) recommends for terminating runs.
 */
export interface Estimate {
  mean: number;
  /** Half-width of the 95 % interval (0 with one replication). */
  half: number;
  n: number;
}

// Two-sided 95 % Student t quantiles, df = 1..30; beyond 30 the normal 1.96 is close enough.
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086,
  2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tQuantile975(df: number): number {
  return T975[df - 1] ?? 1.96;
}

export function estimate(values: readonly number[]): Estimate {
  const n = values.length;
  if (n === 0) return { mean: NaN, half: NaN, n };
  const mean = values.reduce((s, x) => s + x, 0) / n;
  if (n === 1) return { mean, half: 0, n };
  const variance = values.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  return { mean, half: tQuantile975(n - 1) * Math.sqrt(variance / n), n };
}

/**
 * A paired ratio of means, mean(a) / mean(b), with its 95 % interval from the paired
 * differences d_i = a_i − r·b_i (the delta method / Fieller's linearisation): both
 * policies ran on the same replications (common random numbers), so the interval is
 * much narrower than one from two independent intervals.
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): Estimate {
  if (a.length !== b.length) throw new RangeError('paired samples must have the same length');
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  const r = ma / mb;
  if (n < 2) return { mean: r, half: 0, n };
  const d = a.map((x, i) => x - r * b[i]!);
  const variance = d.reduce((s, x) => s + x * x, 0) / (n - 1);
  return { mean: r, half: (tQuantile975(n - 1) * Math.sqrt(variance / n)) / Math.abs(mb), n };
}
