import http from 'node:http';
import { percentile, type LoadResult, type LoadSpec } from './load.ts';

/**
 * A closed-loop load generator that, unlike autocannon, never abandons a request: at the
 * deadline each connection stops sending and waits for its answer, so every committed write
 * has a counted response (needed to compare 201s with rows exactly).
 */
export async function closedLoop(spec: LoadSpec): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections });
  const url = new URL(spec.url);
  const payload = spec.body === undefined ? undefined : Buffer.from(JSON.stringify(spec.body));
  const headers: http.OutgoingHttpHeaders = { authorization: `Bearer ${spec.token}` };
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = payload.length;
  }
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        { agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method: spec.method, headers },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const t0 = performance.now();
  const end = t0 + spec.seconds * 1000;
  await Promise.all(
    Array.from({ length: spec.connections }, async () => {
      while (performance.now() < end) {
        const s = performance.now();
        try {
          const status = await once();
          statuses[status] = (statuses[status] ?? 0) + 1;
          latencies.push(performance.now() - s);
        } catch {
          errors++;
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  const sorted = Float64Array.from(latencies).sort();
  return {
    title: spec.title,
    requests: latencies.length,
    rps: latencies.length / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: latencies.length ? sorted.reduce((a, b) => a + b, 0) / latencies.length : NaN,
    statuses,
    errors,
    sorted,
    seconds,
  };
}
