import autocannon from 'autocannon';

export interface LoadSpec {
  title: string;
  url: string;
  method: 'POST' | 'PUT' | 'GET';
  token: string;
  body?: unknown;
  connections: number;
  seconds: number;
}

export interface LoadResult {
  title: string;
  requests: number;
  rps: number;
  /** Latencies in milliseconds, exact (autocannon's own histogram rounds down to whole ms). */
  p50: number;
  p99: number;
  mean: number;
  statuses: Record<string, number>;
  errors: number;
  /** Every latency, sorted (for merging parallel runs). */
  sorted: Float64Array;
  seconds: number;
}

export function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** A closed-loop autocannon run for a fixed time; latencies recorded per response. */
export async function hammer(spec: LoadSpec): Promise<LoadResult> {
  const latencies: number[] = [];
  // Without a callback autocannon returns its event emitter made thenable (the types say Promise).
  const instance = autocannon({
    url: spec.url,
    method: spec.method,
    connections: spec.connections,
    duration: spec.seconds,
    headers: { authorization: `Bearer ${spec.token}`, 'content-type': 'application/json' },
    ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }),
  }) as unknown as autocannon.Instance & PromiseLike<autocannon.Result>;
  instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
    latencies.push(ms);
  });
  const result = await instance;
  const sorted = Float64Array.from(latencies).sort();
  const statuses: Record<string, number> = {};
  for (const [code, v] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = v.count ?? 0;
  const requests = latencies.length;
  return {
    title: spec.title,
    requests,
    rps: requests / result.duration,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: requests ? sorted.reduce((a, b) => a + b, 0) / requests : NaN,
    statuses,
    errors: result.errors + result.timeouts,
    sorted,
    seconds: result.duration,
  };
}

/** Fails loudly when any response was not the expected status: the numbers would measure an error path. */
export function assertAll(r: LoadResult, status: number) {
  const other = Object.entries(r.statuses).filter(([code]) => Number(code) !== status);
  if (other.length || r.errors) {
    throw new Error(`${r.title}: expected only ${status}, got ${JSON.stringify(r.statuses)} and ${r.errors} socket errors/timeouts`);
  }
}

/** Parallel runs as one: requests and statuses summed, percentiles over all latencies. */
export function merge(title: string, runs: LoadResult[]): LoadResult {
  const all = new Float64Array(runs.reduce((n, r) => n + r.sorted.length, 0));
  let at = 0;
  for (const r of runs) {
    all.set(r.sorted, at);
    at += r.sorted.length;
  }
  all.sort();
  const statuses: Record<string, number> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  const seconds = Math.max(...runs.map((r) => r.seconds));
  return {
    title,
    requests: all.length,
    rps: all.length / seconds,
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    mean: all.length ? all.reduce((a, b) => a + b, 0) / all.length : NaN,
    statuses,
    errors: runs.reduce((n, r) => n + r.errors, 0),
    sorted: all,
    seconds,
  };
}
