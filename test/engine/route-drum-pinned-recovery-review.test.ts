import { describe, expect, it } from 'vitest';
import { workingTimeFromIntervals } from '../../src/engine/calendar.ts';
import { RouteBook } from '../../src/engine/index.ts';
import { RouteDrum, type RouteDrumOrder } from '../../src/engine/route-drum/route-drum.ts';
import { d, horizon, monday, wts } from './helpers/cnc-test-plant.ts';

// Review (brief G, change 1): the tick's recovery of D̂ for PINNED orders at risk
// (RouteDrum.recoverEffectiveDeadlines / hasRecovered). Random drums on a calendar with
// gaps (shifts), pinned and unpinned orders at risk: the recovery must never set D̂ below D
// or below the order's drum finish, must move nobody, must agree with hasRecovered, must be
// undone by a rollback, and a cold rebuild from the stored orders must equal the warm drum.

const T0 = 1_000_000;
/** 8-hour shifts every 24 hours (16-hour gaps), from T0 − 2 days for 40 days. */
const shifts: [number, number][] = [];
for (let d = -2; d < 40; d++) shifts.push([T0 + d * 1440 + 360, T0 + d * 1440 + 840]);
const wt = workingTimeFromIntervals(shifts);

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

function randomDrum(seed: number): { drum: RouteDrum; now: number } {
  const r = rng(seed);
  const now = T0 + Math.floor(r() * 1440);
  const orders: RouteDrumOrder[] = [];
  const nPinned = 1 + Math.floor(r() * 4);
  for (let i = 0; i < nPinned; i++) {
    const load = Math.floor(r() * 300);
    const deadline = now + Math.floor(r() * 3000);
    const atRisk = r() < 0.7;
    orders.push({
      id: `p${i}`,
      load,
      ready: now - Math.floor(r() * 100),
      deadline,
      ...(atRisk ? { effectiveDeadline: r() < 0.1 ? Infinity : deadline + 1 + Math.floor(r() * 5000) } : {}),
      key: 0,
      pinned: true,
    });
  }
  const nUnpinned = Math.floor(r() * 5);
  for (let i = 0; i < nUnpinned; i++) {
    const deadline = now + 2000 + Math.floor(r() * 20000);
    orders.push({
      id: `u${i}`,
      load: 1 + Math.floor(r() * 200),
      ready: now + Math.floor(r() * 2000),
      deadline,
      ...(r() < 0.3 ? { effectiveDeadline: deadline + 1 + Math.floor(r() * 3000) } : {}),
      key: (i + 1) * 1000,
    });
  }
  return { drum: new RouteDrum(wt, orders), now };
}

const planById = (drum: RouteDrum, now: number) => new Map(drum.plan(now).map((p) => [p.id, p]));

describe('review: RouteDrum recovery of pinned orders at risk on random shift drums', () => {
  it('never below D or the drum finish, moves nobody, agrees with hasRecovered, rollback and cold rebuild equal', () => {
    const problems: string[] = [];
    let recovered = 0;
    for (let seed = 1; seed <= 1500; seed++) {
      for (const slack of [0, 15]) {
        const { drum, now } = randomDrum(seed);
        const before = planById(drum, now);
        const ordersBefore = drum.orders();
        const due = drum.hasRecovered(now, slack);
        const cp = drum.checkpoint();
        const out = drum.recoverEffectiveDeadlines(now, Infinity, slack);
        recovered += out.filter((o) => o.pinned).length;
        if (due !== out.length > 0) problems.push(`seed ${seed}/${slack}: hasRecovered ${due}, recovered ${out.length}`);
        const after = planById(drum, now);
        for (const [id, b] of before) {
          const a = after.get(id)!;
          if (a.start !== b.start || a.finish !== b.finish) problems.push(`seed ${seed}/${slack}: ${id} moved`);
          if (a.effectiveDeadline < a.deadline) problems.push(`seed ${seed}/${slack}: ${id} D̂ ${a.effectiveDeadline} < D ${a.deadline}`);
          if (a.effectiveDeadline > b.effectiveDeadline) problems.push(`seed ${seed}/${slack}: ${id} D̂ raised`);
          const lowered = a.effectiveDeadline < b.effectiveDeadline;
          // A lowered D̂ keeps the order on time against it (the recovery's promise: it moves nobody and stays feasible).
          if (lowered && a.slack < 0)
            problems.push(`seed ${seed}/${slack}: ${id} lowered D̂ ${a.effectiveDeadline} below its finish ${a.finish}`);
          if (lowered && a.effectiveDeadline > a.deadline && a.effectiveDeadline !== a.finish + slack)
            problems.push(`seed ${seed}/${slack}: ${id} D̂ ${a.effectiveDeadline} ≠ finish ${a.finish} + ${slack}`);
        }
        // idempotent: nothing more to recover at the same instant
        if (drum.hasRecovered(now, slack)) problems.push(`seed ${seed}/${slack}: still due after recovery`);
        // cold rebuild from the stored orders (what a restart reads) equals the warm drum
        const cold = new RouteDrum(wt, drum.orders());
        if (JSON.stringify(cold.plan(now)) !== JSON.stringify(drum.plan(now))) problems.push(`seed ${seed}/${slack}: cold ≠ warm`);
        if (cold.hasRecovered(now, slack) !== drum.hasRecovered(now, slack)) problems.push(`seed ${seed}/${slack}: cold due ≠ warm due`);
        drum.rollback(cp);
        if (JSON.stringify(drum.orders()) !== JSON.stringify(ordersBefore)) problems.push(`seed ${seed}/${slack}: rollback differs`);
        if (drum.hasRecovered(now, slack) !== due) problems.push(`seed ${seed}/${slack}: rollback due differs`);
      }
    }
    expect(problems.slice(0, 20)).toEqual([]);
    expect(recovered).toBeGreaterThan(300); // the property is exercised
  });
});

// The same at the RouteBook level, on the plant of test/engine/route-book-review.test.ts: B at
// risk is expedited onto the drum (pinned in progress) with more drum work left than fits
// before D, so the tick lowers D̂ only partly; then the floor reports nothing for hours.
describe('review: RouteBook after a partial recovery of a pinned order, time passing with no progress', () => {
  const bookWithBAtRisk = () => {
    const book = new RouteBook('cnc', wts, [], { lookahead: 0 });
    book.commit(monday, 'A', d(800), book.quote(monday, d(800), horizon).promiseDate, horizon);
    book.commit(monday, 'B', d(300), book.quote(monday, d(300), horizon).promiseDate, horizon);
    book.upsert({ ...book.get('B')!, released: true });
    let now = monday;
    while (now < monday + 2900) {
      now += 30;
      book.tick(now, now + 30, horizon);
    }
    return { book, now };
  };
  const canon = (book: RouteBook, now: number) => JSON.stringify({ plan: book.plan(now), due: book.tickDue(now, now + 30) });

  it('warm equals a cold rebuild at every tick, work after the drum never before the drum finish, rollback exact', () => {
    const { book, now: t } = bookWithBAtRisk();
    book.upsert({ ...book.get('B')!, pinned: true, pinRank: -1, drumLoad: 600 });
    const problems: string[] = [];
    for (let now = t + 30; now < t + 30 + 12 * 60; now += 30) {
      const cp = book.checkpoint();
      const before = JSON.stringify(book.orders());
      book.tick(now, now + 30, horizon);
      const after = JSON.stringify(book.orders());
      book.rollback(cp);
      if (JSON.stringify(book.orders()) !== before) problems.push(`${now}: rollback differs`);
      book.tick(now, now + 30, horizon);
      if (JSON.stringify(book.orders()) !== after) problems.push(`${now}: tick not deterministic`);
      const cold = new RouteBook('cnc', wts, book.orders(), { lookahead: 0 });
      if (canon(cold, now) !== canon(book, now)) problems.push(`${now}: cold ≠ warm`);
      for (const p of book.plan(now)) {
        const drumOp = p.operations.find((op) => op.resource === 'cnc');
        const next = p.operations.find((op) => op.resource === 'test');
        if (drumOp && next && next.minutes > 0 && next.start < drumOp.end) problems.push(`${now}: ${p.id} test before its drum end`);
      }
      const b = book.get('B')!;
      if ((b.effectiveDeadline ?? b.drumDeadline) < b.drumDeadline) problems.push(`${now}: B D̂ below D`);
    }
    expect(problems).toEqual([]);
  });
});

describe('review: RouteBook ticks that recover pinned orders at risk keep every plan well formed (random plants)', () => {
  it('no overlap on a resource, routing order kept, D̂ ≥ D, warm = cold, over random expedites', () => {
    const problems: string[] = [];
    let pinnedRecovered = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const r = rng(seed * 7919);
      const book = new RouteBook('cnc', wts, [], { lookahead: 0 });
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const id = `o${i}`;
        const dm = d(60 + Math.floor(r() * 400));
        if (book.commit(monday, id, dm, book.quote(monday, dm, horizon).promiseDate, horizon)) ids.push(id);
      }
      // Some released (worked as planned), the rest never released: time passing holds them back.
      for (const id of ids) if (r() < 0.5) book.upsert({ ...book.get(id)!, released: true });
      let now = monday;
      const steps = 20 + Math.floor(r() * 100);
      for (let k = 0; k < steps; k++) {
        now += 30;
        book.tick(now, now + 30, horizon);
        // The floor expedites a released order at risk: pinned in progress with part of its drum work left.
        if (r() < 0.15) {
          const atRisk = book
            .orders()
            .filter((o) => o.released && !o.pinned && (o.effectiveDeadline ?? o.drumDeadline) > o.drumDeadline && o.ready <= now);
          const o = atRisk[Math.floor(r() * atRisk.length)];
          if (o) book.upsert({ ...o, pinned: true, pinRank: -1, drumLoad: Math.max(1, Math.floor(o.drumLoad * r())) });
        }
        const before = new Map(book.orders().map((o) => [o.id, o.effectiveDeadline ?? o.drumDeadline]));
        book.tick(now, now + 30, horizon);
        for (const o of book.orders()) {
          const dh = o.effectiveDeadline ?? o.drumDeadline;
          if (dh < o.drumDeadline) problems.push(`seed ${seed} t${k}: ${o.id} D̂ < D`);
          if (o.pinned && dh < before.get(o.id)!) pinnedRecovered++;
        }
        const plans = book.plan(now);
        const byResource = new Map<string, [number, number, string][]>();
        for (const p of plans) {
          let prevEnd = -Infinity;
          for (const op of p.operations) {
            if (op.minutes <= 0) continue;
            if (op.start < prevEnd) problems.push(`seed ${seed} t${k}: ${p.id} op ${op.position} starts before the op before it ends`);
            prevEnd = op.end;
            const list = byResource.get(op.resource) ?? [];
            list.push([op.start, op.end, p.id]);
            byResource.set(op.resource, list);
          }
        }
        for (const [res, list] of byResource) {
          list.sort((a, b) => a[0] - b[0]);
          for (let i = 1; i < list.length; i++)
            if (list[i]![0] < list[i - 1]![1]) problems.push(`seed ${seed} t${k}: ${res} overlap ${list[i - 1]![2]} / ${list[i]![2]}`);
        }
        const cold = new RouteBook('cnc', wts, book.orders(), { lookahead: 0 });
        if (JSON.stringify(cold.plan(now)) !== JSON.stringify(plans)) problems.push(`seed ${seed} t${k}: cold ≠ warm`);
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
    expect(pinnedRecovered).toBeGreaterThan(0);
  });
});
