import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.ts';
import { MAX_PATH_PARAMETER_LENGTH } from '../../src/http/plugins/errors.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { databaseKinds } from '../helpers/planning.ts';
import { describeFinding, errorLog, fuzz, type FuzzReport } from './harness.ts';
import { loadOperations, longestAccepted } from './operations.ts';
import { seedFuzzPlant } from './seed.ts';

/**
 * Schema-driven fuzzing (issue 14 item 3). Requests are generated from the committed
 * OpenAPI document: every operation, mostly well-shaped with mutated values, some with
 * broken URLs, bodies and content types, sent with each role's key to the real app on a
 * seeded plant. `npm test` sends FUZZ_REQUESTS (default 600) per database; `npm run fuzz`
 * sends 10,000. FUZZ_SEED replays a run.
 */
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 600);
const SEED = process.env.FUZZ_SEED === 'random' ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED ?? 20261123);
const operations = loadOperations();

describe('the router accepts every path parameter a schema accepts', () => {
  it('no route schema accepts a path parameter longer than the router does', () => {
    const tooLong = operations.flatMap((op) =>
      op.params.filter((p) => p.in === 'path' && longestAccepted(p.schema) > MAX_PATH_PARAMETER_LENGTH).map((p) => `${op.key} {${p.name}}`),
    );
    expect(tooLong).toEqual([]);
  });
});

describe.each(databaseKinds())('fuzzing every operation on %s', (kind) => {
  let t: TestApp;
  let log: ReturnType<typeof errorLog>;
  beforeAll(async () => {
    log = errorLog();
    t = await buildTestApp({ kind, logger: log.logger });
  });
  afterAll(async () => t?.close());

  it(
    `answers ${REQUESTS} generated requests without a 5xx, every error as problem+json, and stays consistent`,
    async () => {
      const pools = await seedFuzzPlant(t);
      const before = await t.app.inject({ method: 'GET', url: '/v1/plants/plant-1/schedule', headers: t.as('planner') });
      expect(before.json().feasible).toBe(true);

      const report = await fuzz(t, {
        operations,
        requests: REQUESTS,
        seed: SEED,
        pools,
        causeOf: log.causeOf,
        progress: (n) => REQUESTS >= 2000 && console.log(`[fuzz ${kind}] ${n}/${REQUESTS}`),
      });
      printReport(kind, report);

      expect(report.failures.map((f) => describeFinding(f, SEED))).toEqual([]);
      const unreached = Object.entries(report.byOperation).filter(([, s]) => s.sent === 0);
      if (REQUESTS >= operations.length * 10) expect(unreached.map(([op]) => op)).toEqual([]);

      await expectConsistent(t, report);
    },
    Math.max(60_000, REQUESTS * 200),
  );
});

function printReport(kind: string, r: FuzzReport) {
  const fiveXX = Object.entries(r.byStatus)
    .filter(([s]) => Number(s) >= 500)
    .reduce((n, [, c]) => n + c, 0);
  const reached = Object.values(r.byOperation).filter((s) => s.ok > 0).length;
  const lines = [
    `[fuzz ${kind}] seed ${r.seed}: ${r.requests} requests in ${r.seconds} s over ${Object.keys(r.byOperation).length} operations (${reached} answered 2xx at least once); 5xx: ${fiveXX}; known issues: ${r.known.length}; failures: ${r.failures.length}`,
    `  statuses: ${JSON.stringify(r.byStatus)}; facts and master-data changes accepted: ${r.factsRecorded}`,
    `  slowest: ${r.slowest.map((s) => `${s.ms} ms ${s.request.method} ${s.request.url.slice(0, 80)}`).join(' | ')}`,
  ];
  const byKnown = new Map<string, number>();
  for (const f of r.known) byKnown.set(f.known!.id, (byKnown.get(f.known!.id) ?? 0) + 1);
  for (const [id, n] of byKnown) lines.push(`  known issue ${id}: ${n}`);
  if (process.env.FUZZ_VERBOSE) {
    lines.push(`  per operation: ${JSON.stringify(r.byOperation)}`);
    for (const f of [...r.failures, ...r.known]) lines.push(describeFinding(f, r.seed));
  }
  console.log(lines.join('\n'));
}

/** After the barrage: the schedule answers, the event log has no gaps, and a fresh process sees the same schedule. */
async function expectConsistent(t: TestApp, report: FuzzReport) {
  const url = '/v1/plants/plant-1/schedule';
  const res = await t.app.inject({ method: 'GET', url, headers: t.as('planner') });
  expect(res.statusCode).toBe(200);
  const schedule = res.json() as { feasible: boolean; orders: { late: boolean }[] };
  expect(schedule.feasible).toBe(schedule.orders.every((o) => !o.late));
  // Refused writes never make the schedule infeasible; only recorded facts and master-data changes may.
  if (report.factsRecorded === 0) expect(schedule.feasible).toBe(true);

  const seqs: number[] = [];
  for (let after = 0; ;) {
    const page = await t.app.inject({
      method: 'GET',
      url: `/v1/plants/plant-1/events?after=${after}&limit=1000`,
      headers: t.as('planner'),
    });
    expect(page.statusCode).toBe(200);
    const items = page.json().items as { seq: number }[];
    if (items.length === 0) break;
    seqs.push(...items.map((e) => e.seq));
    after = items.at(-1)!.seq;
  }
  expect(seqs).toEqual(seqs.map((_, i) => i + 1));

  // The engine cache of this process must equal what a new process builds from the database.
  const fresh = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 100_000 });
  try {
    const again = await fresh.inject({ method: 'GET', url, headers: t.as('planner') });
    expect(again.statusCode).toBe(200);
    const strip = ({ computedAt: _, ...rest }: Record<string, unknown>) => rest;
    expect(strip(again.json() as Record<string, unknown>)).toEqual(strip(schedule as unknown as Record<string, unknown>));
  } finally {
    await fresh.close();
  }
}
