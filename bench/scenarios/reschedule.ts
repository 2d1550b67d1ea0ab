import { readFileSync } from 'node:fs';
import path from 'node:path';
import { quotePlant, type BenchContext } from '../context.ts';
import { call, expectStatus } from '../http.ts';
import {
  applyCapacityChange,
  applyCapacityChangeOnBook,
  buildWorkingTime,
  DrumBook,
  type CalendarException,
} from '../../src/engine/index.ts';
import { loadDrumOrders } from '../drum-orders.ts';
import { quoteBody } from './quote.ts';
import { DRUM, threeShifts, TIME_ZONE } from '../seed.ts';
import { repoRoot, startService } from '../service.ts';

export interface EngineTiming {
  change: string;
  /** applyCapacityChangeOnBook on the already built book, as the service calls it. */
  medianMs: number;
  minMs: number;
  /** applyCapacityChange(state): the same plus a book build from the order list. */
  fromOrdersMedianMs: number;
  moved: number;
  late: number;
  feasible: boolean;
}

export interface RescheduleResult {
  orders: number;
  loadRowsMs: number;
  buildBookMs: number;
  scheduleMs: number;
  engine: EngineTiming[];
  /** POST /capacity-changes when the route exists (persisted changes, then the preview); null: not yet measurable. */
  endpoint: { path: string; calls: { label: string; ms: number; status: number }[]; firstQuoteMs: number } | null;
  endpointNote: string;
  /** The drum calendar replaced through PUT /resources (admin): the reschedule check, then the first quote (cache rebuild). */
  calendarPut: { putMs: number; status: number; firstQuoteMs: number } | null;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A local date `days` ahead that falls on the given weekday (0 = Sunday), "YYYY-MM-DD". */
function dateAhead(days: number, weekday: number | null): string {
  const d = new Date(Date.now() + days * 86_400_000);
  while (weekday !== null && d.getUTCDay() !== weekday) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

const time = (fn: () => void) => {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
};

function capacityRoute(): string | null {
  try {
    const doc = JSON.parse(readFileSync(path.join(repoRoot, 'openapi', 'openapi.json'), 'utf8')) as {
      paths?: Record<string, Record<string, unknown>>;
    };
    const p = Object.keys(doc.paths ?? {}).find((k) => /capacity-changes$/.test(k) && doc.paths![k]!.post);
    return p ?? null;
  } catch {
    return null;
  }
}

/**
 * Capacity change at the largest size: the engine's diff on the book the process holds
 * (applyCapacityChangeOnBook, and applyCapacityChange from the order list for scale) in
 * this process, then the change persisted through the service.
 */
export async function rescheduleScenario(ctx: BenchContext): Promise<RescheduleResult> {
  const pgb = ctx.pg!;
  const n = Math.max(...ctx.opts.sizes);
  const plantId = quotePlant(n);
  const t0 = performance.now();
  const orders = await loadDrumOrders(pgb.db, plantId);
  const loadRowsMs = performance.now() - t0;
  const policy = await pgb.db.selectFrom('buffer_policies').selectAll().where('plant_id', '=', plantId).executeTakeFirstOrThrow();
  const calendar = { timeZone: TIME_ZONE, weekly: threeShifts, exceptions: [] as CalendarException[] };
  const workingTime = buildWorkingTime(calendar);
  const now = Math.floor(Date.now() / 60_000);
  const state = {
    workingTime,
    orders,
    now,
    policy: {
      productionBufferDays: policy.production_buffer_days,
      shippingBufferDays: policy.shipping_buffer_days,
      standardLeadTimeDays: policy.standard_lead_time_days,
    },
  };
  let book!: DrumBook;
  const buildBookMs = time(() => {
    book = new DrumBook(workingTime, orders);
  });
  const scheduleMs = time(() => book.schedule(now, state.policy.productionBufferDays));

  const sunday = dateAhead(14, 0);
  const changes: { label: string; exceptions: CalendarException[] }[] = [
    {
      label: `extra shift on Sunday ${sunday} (+480 min)`,
      exceptions: [{ kind: 'extra_shift', date: sunday, start: '06:00', end: '14:00' }],
    },
    {
      label: `downtime ${dateAhead(30, 3)} 08:00–12:00 (−240 min)`,
      exceptions: [{ kind: 'downtime', date: dateAhead(30, 3), start: '08:00', end: '12:00' }],
    },
  ];
  const engine: EngineTiming[] = [];
  for (const c of changes) {
    const runs: number[] = [];
    const fromOrders: number[] = [];
    let last!: ReturnType<typeof applyCapacityChange>;
    for (let i = 0; i < 6; i++) {
      // As the service uses it: on the book it holds, reading the count and the first 200 moved.
      const ms = time(() => {
        last = applyCapacityChangeOnBook(book, now, state.policy, { addExceptions: c.exceptions });
        last.diff.movedSlice(0, 200);
      });
      const wrapped = time(() => applyCapacityChange(state, { addExceptions: c.exceptions }).diff.movedCount);
      if (i > 0) runs.push(ms); // the first run warms the JIT
      if (i > 0) fromOrders.push(wrapped);
    }
    const t = { change: c.label, medianMs: median(runs), minMs: Math.min(...runs), fromOrdersMedianMs: median(fromOrders) };
    engine.push({ ...t, moved: last.diff.movedCount, late: last.diff.late.length, feasible: last.feasible });
    ctx.log(
      `  applyCapacityChangeOnBook at ${n}: ${c.label}: median ${t.medianMs.toFixed(0)} ms (from the order list ${t.fromOrdersMedianMs.toFixed(0)} ms), ${last.diff.movedCount} moved, ${last.diff.late.length} late`,
    );
  }

  const route = capacityRoute();
  const service = await startService({ name: 'reschedule', databaseUrl: pgb.url });
  try {
    await expectStatus(call(service.url, 'POST', `/v1/plants/${plantId}/quotes`, pgb.keys.sales, quoteBody()), 200, 'warm quote');
    let endpoint: RescheduleResult['endpoint'] = null;
    let endpointNote = `no POST …/capacity-changes route in openapi/openapi.json at this commit: time until persisted is not yet measurable through the planner endpoint`;
    if (route) {
      const p = route.replace('{plant}', plantId);
      const calls: { label: string; ms: number; status: number }[] = [];
      const problems: string[] = [];
      for (const [i, c] of changes.entries()) {
        const ex = c.exceptions[0]!;
        const body = { resource: DRUM, kind: ex.kind, date: ex.date, start: ex.start, end: ex.end, reason: `bench: ${c.label}` };
        const preview = await call(service.url, 'POST', `${p}?preview=true`, pgb.keys.planner, body);
        calls.push({ label: `preview: ${c.label}`, ms: preview.ms, status: preview.status });
        const r = await call(service.url, 'POST', p, pgb.keys.planner, body);
        calls.push({ label: `persist: ${c.label}`, ms: r.ms, status: r.status });
        if (r.status >= 300) problems.push(`${c.label}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
        if (i === 0) {
          const q = await call(service.url, 'POST', `/v1/plants/${plantId}/quotes`, pgb.keys.sales, quoteBody());
          endpoint = { path: route, calls, firstQuoteMs: q.ms };
        }
      }
      endpointNote = problems.length ? `the endpoint refused: ${problems.join('; ')}` : 'persisted through the planner endpoint';
      ctx.log(`  capacity-change endpoint at ${n}: ${calls.map((c) => `${c.label} ${c.status} in ${c.ms.toFixed(0)} ms`).join('; ')}`);
    }
    // The admin calendar route is a reschedule too (refused when it would make orders late): back to the plain calendar.
    const put = await call(service.url, 'PUT', `/v1/plants/${plantId}/resources/${DRUM}`, pgb.keys.admin, {
      name: 'Bench drum',
      drum: true,
      calendar: { weekly: threeShifts, exceptions: [] },
    });
    const q = await expectStatus(
      call(service.url, 'POST', `/v1/plants/${plantId}/quotes`, pgb.keys.sales, quoteBody()),
      200,
      'quote after the calendar change',
    );
    const calendarPut = { putMs: put.ms, status: put.status, firstQuoteMs: q.ms };
    ctx.log(
      `  PUT drum calendar at ${n}: ${put.status} in ${put.ms.toFixed(0)} ms; first quote after it ${q.ms.toFixed(0)} ms; capacity-change route: ${route ?? 'absent'}`,
    );
    return { orders: n, loadRowsMs, buildBookMs, scheduleMs, engine, endpoint, endpointNote, calendarPut };
  } finally {
    await service.stop();
  }
}
