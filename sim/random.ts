/**
 * Seeded random streams. Each source of randomness (arrivals, processing times,
 * breakdowns) draws from its own stream, derived from (seed, replication, name), so
 * every policy sees exactly the same orders, the same processing times and the same
 * failures (common random numbers): differences between policies are then differences
 * of policy, not of luck, and the confidence intervals of those differences shrink.
 */

/** One 32-bit mixing round (splitmix32); used to derive stream seeds from names. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function hashString(s: string, h: number): number {
  for (let i = 0; i < s.length; i++) h = splitmix32(h ^ s.charCodeAt(i));
  return h;
}

/**
 * sfc32: small, fast, passes PractRand to large sizes; plenty for a simulation that
 * draws a few million numbers. Math.random is unseedable, so it is never used here.
 */
export class RandomStream {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, replication: number, name: string) {
    const h = hashString(name, splitmix32(seed ^ splitmix32(replication + 0x51ed27)));
    this.a = splitmix32(h);
    this.b = splitmix32(this.a);
    this.c = splitmix32(this.b);
    this.d = 1;
    for (let i = 0; i < 15; i++) this.nextUint32(); // warm up past the correlated seed state
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform on the open interval (0, 1): never 0, so -log(u) is always finite. */
  uniform(): number {
    return (this.nextUint32() + 0.5) / 4294967296;
  }

  /** Integer uniform on [lo, hi], both inclusive. */
  integer(lo: number, hi: number): number {
    return lo + Math.floor(this.uniform() * (hi - lo + 1));
  }

  exponential(mean: number): number {
    return -mean * Math.log(this.uniform());
  }

  /** Standard normal by Box–Muller (one of the pair is discarded to keep draws aligned). */
  normal(): number {
    const u1 = this.uniform();
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /**
   * Lognormal with the given mean and coefficient of variation (sd / mean): the usual
   * model of processing times (positive, right-skewed). cv = 0 returns the mean exactly.
   */
  lognormal(mean: number, cv: number): number {
    if (cv <= 0) {
      this.normal(); // keep the stream aligned whatever the cv
      return mean;
    }
    const sigma2 = Math.log(1 + cv * cv);
    const mu = Math.log(mean) - sigma2 / 2;
    return Math.exp(mu + Math.sqrt(sigma2) * this.normal());
  }

  /** Picks an index with probability proportional to weights[i]. */
  weighted(weights: readonly number[]): number {
    const total = weights.reduce((s, w) => s + w, 0);
    let u = this.uniform() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i]!;
      if (u < 0) return i;
    }
    return weights.length - 1;
  }
}
