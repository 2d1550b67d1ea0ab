import { quotePlant, type BenchContext } from '../context.ts';
import { call, expectStatus } from '../http.ts';
import { assertAll, hammer, type LoadResult } from '../load.ts';
import { daysFromNow, DRUM } from '../seed.ts';
import { startService, type Service } from '../service.ts';
import { quoteBody } from './quote.ts';

/** The service's own event-loop delay over one window (GET /internal/event-loop). */
export interface LoopDelay {
  samples: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface EventLoopRow {
  load: string;
  /** Adversarial requests sent during the window, and their statuses. */
  adversarial: number;
  statuses: Record<string, number>;
  /** Slowest adversarial request, ms. */
  adversarialMaxMs: number;
  delay: LoopDelay;
  quotes: { rps: number; p99: number };
  /** delay.p99Ms and delay.maxMs and the quotes' p99 over the normal-load baseline. */
  p99Ratio: number;
  maxRatio: number;
  quoteP99Ratio: number;
}

export interface EventLoopResult {
  orders: number;
  seconds: number;
  rows: EventLoopRow[];
}

interface Adversary {
  name: string;
  /** One adversarial request; its status must be one of `expect`. */
  send(service: Service): Promise<{ status: number; ms: number }>;
  expect: number[];
}

const far = '9999-12-31';

/** Every page of the schedule, 1,000 orders at a time (the largest page). */
async function exportSchedule(service: Service, plant: string, token: string) {
  const t0 = performance.now();
  let cursor: string | null = null;
  let status: number;
  do {
    const r = await call(service.url, 'GET', `/v1/plants/${plant}/schedule?limit=1000${cursor ? `&cursor=${cursor}` : ''}`, token);
    status = r.status;
    cursor = status === 200 ? ((r.body as { nextCursor: string | null }).nextCursor ?? null) : null;
  } while (cursor);
  return { status, ms: performance.now() - t0 };
}

/**
 * Event-loop delay inside the service (monitorEventLoopDelay, EVENT_LOOP_PROBE=on) under a
 * steady quote load alone, then under the same quote load with one adversarial client
 * sending, back to back, one kind of expensive or malicious request. Each window is
 * reported as ratios over the quote-only baseline of the same run.
 */
export async function eventLoopScenario(ctx: BenchContext): Promise<EventLoopResult> {
  const pgb = ctx.pg!;
  const n = Math.max(...ctx.opts.sizes);
  const plant = quotePlant(n);
  const seconds = ctx.opts.quick ? 2 : 5;
  const { keys } = pgb;
  const quote = (body: unknown) => (service: Service) => call(service.url, 'POST', `/v1/plants/${plant}/quotes`, keys.sales, body);
  const adversaries: Adversary[] = [
    { name: 'far-future requested date', send: quote({ ...quoteBody(), requestedDate: far }), expect: [400] },
    { name: 'quantity at the maximum (1,000,000)', send: quote({ ...quoteBody(), quantity: 1_000_000 }), expect: [200, 409] },
    { name: 'quantity beyond the maximum', send: quote({ ...quoteBody(), quantity: 1e15 }), expect: [400] },
    { name: '500,000-character sku', send: quote({ ...quoteBody(), sku: 'X'.repeat(500_000) }), expect: [413] },
    { name: '8,000-character sku (under the body limit)', send: quote({ ...quoteBody(), sku: 'X'.repeat(8_000) }), expect: [400] },
    { name: `schedule export, ${n} orders in pages of 1,000`, send: (s) => exportSchedule(s, plant, keys.erp), expect: [200] },
    {
      name: `capacity-change preview at ${n} orders`,
      send: (s) =>
        call(s.url, 'POST', `/v1/plants/${plant}/capacity-changes?preview=true`, keys.planner, {
          resource: DRUM,
          kind: 'downtime',
          date: daysFromNow(3),
          reason: 'bench: preview only',
        }),
      expect: [200],
    },
    {
      name: 'load report, 366 days',
      send: (s) => call(s.url, 'GET', `/v1/plants/${plant}/load?from=${daysFromNow(0)}&to=${daysFromNow(365)}`, keys.planner),
      expect: [200],
    },
  ];

  const service = await startService({ name: 'event-loop', databaseUrl: pgb.url, env: { EVENT_LOOP_PROBE: 'on' } });
  const probe = async (reset: boolean) => {
    const r = await expectStatus(
      call(service.url, 'GET', `/internal/event-loop${reset ? '?reset=true' : ''}`, keys.admin),
      200,
      'event-loop probe',
    );
    return r.body as LoopDelay;
  };
  const quoteLoad = () =>
    hammer({
      title: `event-loop quotes ${n}`,
      url: `${service.url}/v1/plants/${plant}/quotes`,
      method: 'POST',
      token: keys.sales,
      body: quoteBody(),
      connections: 8,
      seconds,
    });
  const rows: EventLoopRow[] = [];
  try {
    await expectStatus(quote(quoteBody())(service), 200, `first quote on ${plant}`);
    await quoteLoad(); // warm-up
    for (const a of adversaries) {
      const r = await a.send(service); // warm-up, and the first answer must be right
      if (!a.expect.includes(r.status)) throw new Error(`${a.name}: HTTP ${r.status}, expected ${a.expect.join(' or ')}`);
    }
    const window = async (
      name: string,
      adversary: Adversary | null,
    ): Promise<Omit<EventLoopRow, 'p99Ratio' | 'maxRatio' | 'quoteP99Ratio'>> => {
      await probe(true);
      let stop = false;
      const statuses: Record<string, number> = {};
      let sent = 0;
      let slowest = 0;
      const attacker = (async () => {
        while (adversary && !stop) {
          const r = await adversary.send(service);
          sent++;
          slowest = Math.max(slowest, r.ms);
          statuses[r.status] = (statuses[r.status] ?? 0) + 1;
          if (!adversary.expect.includes(r.status)) throw new Error(`${name}: HTTP ${r.status}, expected ${adversary.expect.join(' or ')}`);
        }
      })();
      let quotes: LoadResult;
      try {
        quotes = await quoteLoad();
      } finally {
        stop = true;
        await attacker;
      }
      const delay = await probe(false);
      assertAll(quotes, 200);
      return { load: name, adversarial: sent, statuses, adversarialMaxMs: slowest, delay, quotes: { rps: quotes.rps, p99: quotes.p99 } };
    };
    const base = await window('normal: quotes only', null);
    const ratioRow = (w: Awaited<ReturnType<typeof window>>): EventLoopRow => ({
      ...w,
      p99Ratio: w.delay.p99Ms / base.delay.p99Ms,
      maxRatio: w.delay.maxMs / base.delay.maxMs,
      quoteP99Ratio: w.quotes.p99 / base.quotes.p99,
    });
    rows.push(ratioRow(base));
    for (const a of adversaries) {
      const row = ratioRow(await window(`quotes + ${a.name}`, a));
      rows.push(row);
      ctx.log(
        `  ${row.load}: loop delay p99 ${row.delay.p99Ms} ms (×${row.p99Ratio.toFixed(2)}), max ${row.delay.maxMs} ms (×${row.maxRatio.toFixed(2)}); ` +
          `quote p99 ×${row.quoteP99Ratio.toFixed(2)}; ${row.adversarial} adversarial, slowest ${row.adversarialMaxMs.toFixed(0)} ms`,
      );
    }
  } finally {
    await service.stop();
  }
  return { orders: n, seconds, rows };
}
