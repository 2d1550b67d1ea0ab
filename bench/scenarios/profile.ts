import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { quotePlant, type BenchContext } from '../context.ts';
import { loadDrumOrders } from '../drum-orders.ts';
import { call, expectStatus } from '../http.ts';
import { hammer } from '../load.ts';
import { mainThreadProfile, summarizeProfile, type CpuProfile, type ProfileSummary } from '../profile-summary.ts';
import { applyCapacityChange, buildWorkingTime } from '../../src/engine/index.ts';
import { quoteBody } from './quote.ts';
import { BENCH_SKU, daysFromNow, DRUM, setupPlant, threeShifts, TIME_ZONE } from '../seed.ts';
import { startService } from '../service.ts';

function sundayAhead(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  while (d.getUTCDay() !== 0) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * Where the time goes, measured apart from the timed runs (a profiler slows what it watches):
 * a service process under --cpu-prof taking quotes at the largest size, another taking
 * order creations from 16 clients, another making a capacity change at the largest size,
 * and the engine's capacity change in this process.
 */
export async function profilePass(ctx: BenchContext): Promise<ProfileSummary[]> {
  const pgb = ctx.pg!;
  const n = Math.max(...ctx.opts.sizes);
  const out: ProfileSummary[] = [];

  const quoting = await startService({ name: 'quote-profile', databaseUrl: pgb.url, cpuProfDir: ctx.profileDir });
  try {
    const plant = quotePlant(n);
    await expectStatus(call(quoting.url, 'POST', `/v1/plants/${plant}/quotes`, pgb.keys.sales, quoteBody()), 200, 'warm quote');
    await hammer({
      title: 'profile quotes',
      url: `${quoting.url}/v1/plants/${plant}/quotes`,
      method: 'POST',
      token: pgb.keys.sales,
      body: quoteBody(),
      connections: 10,
      seconds: ctx.opts.loadSeconds,
    });
  } finally {
    await quoting.stop();
  }
  out.push(
    summarizeProfile(
      `service process, quotes at ${n} orders (Postgres)`,
      mainThreadProfile(path.join(ctx.profileDir, 'quote-profile')),
      12,
      ctx.opts.loadSeconds + 1,
    ),
  );

  await setupPlant(pgb.db, 'confirm-profile');
  await setupPlant(pgb.db, 'confirm-profile-warm-up');
  const confirming = await startService({ name: 'confirm-profile', databaseUrl: pgb.url, cpuProfDir: ctx.profileDir });
  try {
    // Warmed up on a plant of its own first (see the confirm scenario): the summary reads only the last seconds.
    await hammer({
      title: 'profile orders warm-up',
      url: `${confirming.url}/v1/plants/confirm-profile-warm-up/orders`,
      method: 'POST',
      token: pgb.keys.sales,
      body: { sku: BENCH_SKU, quantity: 40, promiseDate: daysFromNow(1000), customer: 'bench-profile' },
      connections: 16,
      seconds: ctx.opts.confirmWarmUpSeconds,
    });
    await hammer({
      title: 'profile orders',
      url: `${confirming.url}/v1/plants/confirm-profile/orders`,
      method: 'POST',
      token: pgb.keys.sales,
      body: { sku: BENCH_SKU, quantity: 40, promiseDate: daysFromNow(1000), customer: 'bench-profile' },
      connections: 16,
      seconds: ctx.opts.confirmSeconds,
    });
  } finally {
    await confirming.stop();
  }
  out.push(
    summarizeProfile(
      'service process, order creation from 16 clients, one plant (Postgres)',
      mainThreadProfile(path.join(ctx.profileDir, 'confirm-profile')),
      12,
      ctx.opts.confirmSeconds + 1,
    ),
  );

  // The planner's capacity change at the largest size, through the service (when the route exists).
  const capacity = await startService({ name: 'capacity-profile', databaseUrl: pgb.url, cpuProfDir: ctx.profileDir });
  let capacityStatus: number;
  let capacityMs: number;
  try {
    const plant = quotePlant(n);
    await expectStatus(call(capacity.url, 'POST', `/v1/plants/${plant}/quotes`, pgb.keys.sales, quoteBody()), 200, 'warm quote');
    const body = { resource: DRUM, kind: 'extra_shift', date: sundayAhead(21), start: '14:00', end: '22:00', reason: 'bench: profile' };
    const t0 = performance.now();
    capacityStatus = (await call(capacity.url, 'POST', `/v1/plants/${plant}/capacity-changes?preview=true`, pgb.keys.planner, body)).status;
    capacityStatus = Math.max(
      capacityStatus,
      (await call(capacity.url, 'POST', `/v1/plants/${plant}/capacity-changes`, pgb.keys.planner, body)).status,
    );
    capacityMs = performance.now() - t0;
  } finally {
    await capacity.stop();
  }
  if (capacityStatus !== 404) {
    out.push(
      summarizeProfile(
        `service process, capacity change at ${n} orders: preview + persist (Postgres)`,
        mainThreadProfile(path.join(ctx.profileDir, 'capacity-profile')),
        12,
        capacityMs / 1000 + 1,
      ),
    );
  }

  const orders = await loadDrumOrders(pgb.db, quotePlant(n));
  const state = {
    workingTime: buildWorkingTime({ timeZone: TIME_ZONE, weekly: threeShifts, exceptions: [] }),
    orders,
    now: Math.floor(Date.now() / 60_000),
    policy: { productionBufferDays: 6, shippingBufferDays: 3, standardLeadTimeDays: 5 },
  };
  const change = { addExceptions: [{ kind: 'downtime' as const, date: daysFromNow(30), start: '08:00', end: '12:00' }] };
  applyCapacityChange(state, change); // warm
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    for (let i = 0; i < 5; i++) applyCapacityChange(state, change);
    const { profile } = await session.post('Profiler.stop');
    out.push(summarizeProfile(`engine, applyCapacityChange × 5 at ${n} orders (in-process)`, profile as unknown as CpuProfile));
  } finally {
    session.disconnect();
  }
  for (const s of out)
    ctx.log(
      `  profile ${s.label}: top ${s.top
        .slice(0, 3)
        .map((e) => `${e.name} ${(e.share * 100).toFixed(0)} %`)
        .join(', ')}`,
    );
  return out;
}
