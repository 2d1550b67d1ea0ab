/**
 * Warm-up by MSER-5 (White 1997; White, Cobb & Spratt 2000): batch the output series into
 * means of 5 observations, then pick the truncation d that minimises the standard error
 * of the mean of what is left,
 *   MSER(d) = Σ_{j>d} (z_j − z̄_d)² / (m − d)²,
 * over d ≤ m/2 (a truncation of more than half the run means the run is too short, not
 * that the warm-up is that long). Returns the truncation in observations (5 × d).
 */
const MSER_BATCH = 5;

export interface MserResult {
  /** Observations to delete from the start. */
  truncation: number;
  /** True when the minimum sits at the half-run limit: the run may be too short to judge. */
  atLimit: boolean;
}

export function mser5(series: readonly number[], batch = MSER_BATCH): MserResult {
  const m = Math.floor(series.length / batch);
  if (m < 2) return { truncation: 0, atLimit: false };
  const z: number[] = [];
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let i = 0; i < batch; i++) s += series[j * batch + i]!;
    z.push(s / batch);
  }
  // Suffix sums make every d O(1).
  const sum = new Array<number>(m + 1).fill(0);
  const sq = new Array<number>(m + 1).fill(0);
  for (let j = m - 1; j >= 0; j--) {
    sum[j] = sum[j + 1]! + z[j]!;
    sq[j] = sq[j + 1]! + z[j]! * z[j]!;
  }
  const limit = Math.floor(m / 2);
  let best = 0;
  let bestValue = Infinity;
  for (let d = 0; d <= limit; d++) {
    const n = m - d;
    const mean = sum[d]! / n;
    const value = Math.max(0, sq[d]! - n * mean * mean) / (n * n);
    if (value < bestValue - 1e-15) {
      best = d;
      bestValue = value;
    }
  }
  return { truncation: best * batch, atLimit: best === limit };
}

/** The average of several replications' series, point by point (over the shortest). */
export function averageSeries(series: readonly (readonly number[])[]): number[] {
  const n = Math.min(...series.map((s) => s.length));
  return Array.from({ length: n }, (_, i) => series.reduce((s, x) => s + x[i]!, 0) / series.length);
}
