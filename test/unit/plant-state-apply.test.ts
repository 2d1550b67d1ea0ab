import { describe, expect, it } from 'vitest';
import type { DrumRow } from '../../src/db/repos/orders.ts';
import { IN_PROGRESS_RANK, PlantState, toMinute } from '../../src/domain/schedule/plant-cache.ts';
import type { PlantConfig } from '../../src/domain/schedule/plant-config.ts';
import { workingTimesOf } from '../../src/domain/schedule/route-state.ts';
import { buildWorkingTime, DrumBook, RouteBook, type Calendar } from '../../src/engine/index.ts';

// How a stored row reaches the engine state (PlantState.apply), the read copy without
// expired holds (forRead), pins, and new capacity rules (recalibrate): no database needed.

const NOW = new Date('2026-11-23T08:00:00Z'); // a Monday
const days = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
const calendarOf = (end: string): Calendar => ({
  timeZone: 'UTC',
  weekly: days.map((day) => ({ day, start: '06:00', end })),
  exceptions: [],
});
const configOf = (configVersion: number, end = '22:00', drumId = 'drum') =>
  ({
    plantId: 'p',
    timeZone: 'UTC',
    configVersion,
    drum: { id: drumId, calendar: calendarOf(end) },
    resources: new Map([[drumId, { id: drumId, isDrum: true, calendar: calendarOf(end) }]]),
  }) as unknown as PlantConfig;

function aState(config = configOf(1)) {
  const wt = buildWorkingTime(config.drum!.calendar);
  return new PlantState(config, wt, new DrumBook(wt, []), new RouteBook(config.drum!.id, workingTimesOf(config), []), 1);
}

let keys = 0;
function row(id: string, over: Partial<DrumRow> = {}): DrumRow {
  return {
    id,
    status: 'confirmed',
    drum_load_minutes: 120,
    drum_done_minutes: 0,
    drum_deadline: new Date('2026-11-27T22:00:00Z'),
    seq: ++keys,
    pinned: false,
    hold_expires_at: null,
    production_buffer_days: 2,
    pin_rank: null,
    drum_key: keys * 1024,
    ready_at: null,
    planned_release_at: null,
    material_available_at: null,
    effective_deadline: null,
    promise_date: '2026-11-30',
    shipping_buffer_days: 1,
    at_risk: false,
    at_risk_reason: null,
    at_risk_resource: null,
    at_risk_projected_finish: null,
    at_risk_promise_date: null,
    ...over,
  } as DrumRow;
}

const expiries = (s: PlantState) => [...s.holdExpiry.entries()].sort(([a], [b]) => a.localeCompare(b));

describe('PlantState.apply', () => {
  it('puts a committed row on the drum and the route with its remaining load, and takes a dead one off both', () => {
    const s = aState();
    s.apply(row('a', { drum_load_minutes: 120, drum_done_minutes: 30, production_buffer_days: 3 }));
    expect(s.book!.get('a')).toMatchObject({
      load: 90,
      deadline: toMinute(new Date('2026-11-27T22:00:00Z')),
      pinned: false,
      productionBufferDays: 3,
    });
    expect(s.route!.get('a')).toMatchObject({ drumLoad: 90, promiseDate: '2026-11-30', released: false });
    s.apply(row('a', { drum_load_minutes: 200, seq: s.book!.get('a')!.seq }));
    expect(s.book!.get('a')!.load).toBe(200);
    expect(s.route!.get('a')!.drumLoad).toBe(200);
    expect(s.book!.size).toBe(1);
    for (const status of ['cancelled', 'completed'] as const) {
      s.apply(row('a'));
      s.apply(row('a', { status }));
      expect(s.book!.has('a')).toBe(false);
      expect(s.route!.has('a')).toBe(false);
    }
    for (const status of ['held', 'released', 'in_progress'] as const) {
      s.apply(row(status, { status }));
      expect(s.book!.has(status)).toBe(true);
    }
  });

  it('pins an order in progress first, and a frozen one by its rank', () => {
    const s = aState();
    s.apply(row('run', { status: 'in_progress' }));
    s.apply(row('frozen', { pinned: true, pin_rank: 4 }));
    s.apply(row('free'));
    expect(s.book!.get('run')).toMatchObject({ pinned: true, pinRank: IN_PROGRESS_RANK });
    expect(s.book!.get('frozen')).toMatchObject({ pinned: true, pinRank: 4 });
    expect(s.book!.get('free')!.pinned).toBe(false);
    expect(s.book!.get('free')!.pinRank).toBeUndefined();
    expect(s.route!.get('run')).toMatchObject({ pinned: true, pinRank: IN_PROGRESS_RANK, released: true });
  });

  it('keeps the expiry of a held row only, in minutes, and forgets it when the row is no longer held', () => {
    const s = aState();
    const expires = new Date('2026-11-23T09:30:00Z');
    s.apply(row('h', { status: 'held', hold_expires_at: expires }));
    s.apply(row('c', { status: 'confirmed', hold_expires_at: expires }));
    s.apply(row('open', { status: 'held', hold_expires_at: null }));
    expect(expiries(s)).toEqual([['h', toMinute(expires)]]);
    s.apply(row('h', { status: 'confirmed' }));
    expect(s.holdExpiry.size).toBe(0);
    s.apply(row('h2', { status: 'held', hold_expires_at: expires }));
    s.apply(row('h2', { status: 'cancelled' }));
    expect(s.holdExpiry.size).toBe(0);
  });

  it('ignores rows while the plant has no drum', () => {
    const config = { ...configOf(1), drum: null } as PlantConfig;
    const s = new PlantState(config, null, null, null, 1);
    s.apply(row('h', { status: 'held', hold_expires_at: new Date('2026-11-23T09:30:00Z') }));
    expect(s.holdExpiry.size).toBe(0);
    expect(s.book).toBeNull();
    // Rollback and release of a state without books restore the expiries alone.
    const cp = s.checkpoint();
    s.holdExpiry.set('x', 1);
    s.rollback(cp);
    expect(s.holdExpiry.size).toBe(0);
    s.release(s.checkpoint());
    expect(s.fork().book).toBeNull();
  });

  it('keeps the stored operation snapshot unless the row comes with a new one', () => {
    const s = aState();
    const a = row('a');
    const ops = [{ position: 0, resource: 'drum', minutes: 120, start: null, end: null }];
    s.apply(a, ops);
    expect(s.route!.get('a')!.ops).toEqual(ops);
    s.apply({ ...a, promise_date: '2026-12-01' });
    expect(s.route!.get('a')!.ops).toEqual(ops);
    const next = [{ position: 0, resource: 'drum', minutes: 60, start: null, end: null }];
    s.apply({ ...a, drum_load_minutes: 60 }, next);
    expect(s.route!.get('a')!.ops).toEqual(next);
    // A new snapshot alone (the same row) is a new plan too.
    const replanned = [{ position: 0, resource: 'drum', minutes: 60, start: 100, end: 160 }];
    s.apply({ ...a, drum_load_minutes: 60 }, replanned);
    expect(s.route!.get('a')!.ops).toEqual(replanned);
  });

  it('brings every field of the stored plan to the route book, one field at a time', () => {
    const s = aState();
    const base = row('a');
    s.apply(base);
    const at = (iso: string) => new Date(iso);
    const changes: [Partial<DrumRow>, (o: NonNullable<ReturnType<RouteBook['get']>>) => unknown, unknown][] = [
      [{ drum_load_minutes: 100 }, (o) => o.drumLoad, 100],
      [{ drum_deadline: at('2026-11-26T22:00:00Z') }, (o) => o.drumDeadline, toMinute(at('2026-11-26T22:00:00Z'))],
      [{ effective_deadline: at('2026-11-28T22:00:00Z') }, (o) => o.effectiveDeadline, toMinute(at('2026-11-28T22:00:00Z'))],
      [{ ready_at: at('2026-11-24T06:00:00Z') }, (o) => o.ready, toMinute(at('2026-11-24T06:00:00Z'))],
      [{ drum_key: 7 }, (o) => o.key, 7],
      [{ pinned: true }, (o) => o.pinned, true],
      [{ pinned: true, pin_rank: 3 }, (o) => o.pinRank, 3],
      [{ planned_release_at: at('2026-11-24T06:00:00Z') }, (o) => o.plannedRelease, toMinute(at('2026-11-24T06:00:00Z'))],
      [{ promise_date: '2026-12-02' }, (o) => o.promiseDate, '2026-12-02'],
      [{ shipping_buffer_days: 3 }, (o) => o.shippingBufferDays, 3],
      [{ status: 'released' }, (o) => o.released, true],
      [{ at_risk: true, at_risk_reason: 'resource', at_risk_resource: 'drum' }, (o) => o.risk?.resource, 'drum'],
    ];
    for (const [change, read, expected] of changes) {
      s.apply(base);
      s.apply({ ...base, ...change });
      expect(read(s.route!.get('a')!), JSON.stringify(change)).toEqual(expected);
    }
    // A frozen order's rank alone.
    s.apply({ ...base, pinned: true, pin_rank: 3 });
    s.apply({ ...base, pinned: true, pin_rank: 5 });
    expect(s.route!.get('a')!.pinRank).toBe(5);
    // The stored risk flag changes one field at a time too.
    const risky = {
      ...base,
      at_risk: true,
      at_risk_reason: 'resource',
      at_risk_resource: 'drum',
      at_risk_promise_date: '2026-11-30',
    } as DrumRow;
    const riskChanges: Partial<DrumRow>[] = [
      { at_risk_promise_date: '2026-12-03' },
      { at_risk_projected_finish: at('2026-12-01T10:00:00Z') },
      { at_risk_reason: 'breakdown' },
      { at_risk_resource: 'saw' },
    ];
    for (const change of riskChanges) {
      s.apply(risky);
      s.apply({ ...risky, ...change });
      const risk = s.route!.get('a')!.risk!;
      expect([risk.promiseDate, risk.projectedFinish, risk.reason, risk.resource], JSON.stringify(change)).toEqual([
        change.at_risk_promise_date ?? '2026-11-30',
        change.at_risk_projected_finish ? toMinute(change.at_risk_projected_finish) : null,
        change.at_risk_reason ?? 'resource',
        change.at_risk_resource ?? 'drum',
      ]);
    }
    s.apply(risky);
    s.apply(base);
    expect(s.route!.get('a')!.risk).toBeUndefined();
  });
});

describe('PlantState.pin', () => {
  it('pins an order on the drum and the route with its rank, and ignores an unknown one', () => {
    const s = aState();
    s.apply(row('a'));
    s.pin('a', 2);
    s.pin('nobody', 1);
    expect(s.book!.get('a')).toMatchObject({ pinned: true, pinRank: 2 });
    expect(s.route!.get('a')).toMatchObject({ pinned: true, pinRank: 2 });
    expect(s.book!.size).toBe(1);
    expect(s.route!.size).toBe(1);
  });

  it('is a no-op on a plant without a drum', () => {
    const s = new PlantState({ ...configOf(1), drum: null } as PlantConfig, null, null, null, 1);
    expect(() => s.pin('a', 1)).not.toThrow();
    expect(s.book).toBeNull();
    expect(s.route).toBeNull();
  });
});

describe('PlantState checkpoint of the route book', () => {
  it('rolls the route book back with the drum book, and a release keeps both and ends their checkpoints', () => {
    const s = aState();
    s.apply(row('a'));
    const cp = s.checkpoint();
    s.apply(row('b'));
    s.apply(row('a', { status: 'cancelled' }));
    s.rollback(cp);
    expect(s.route!.orders().map((o) => o.id)).toEqual(['a']);
    expect(s.book!.orders().map((o) => o.id)).toEqual(['a']);
    const kept = s.checkpoint();
    s.apply(row('c'));
    s.release(kept);
    expect(s.route!.has('c')).toBe(true);
    // Released means ended in every book, not only in the hold expiries.
    expect(() => s.book!.rollback(kept.bookAt!)).toThrow(RangeError);
    expect(() => s.route!.rollback(kept.routeAt!)).toThrow(RangeError);
    expect(s.route!.has('c')).toBe(true);
  });

  it('forks the route book too: the fork plans the same orders and changes alone', () => {
    const s = aState();
    s.apply(row('a'));
    const fork = s.fork();
    expect(fork.route!.orders()).toEqual(s.route!.orders());
    fork.apply(row('b'));
    expect(fork.route!.has('b')).toBe(true);
    expect(s.route!.has('b')).toBe(false);
  });
});

describe('PlantState.forRead', () => {
  const nowMinute = toMinute(NOW);
  const holdUntil = (minute: number) => new Date(minute * 60_000);

  it('is the state itself while no hold is due', () => {
    const s = aState();
    s.apply(row('h', { status: 'held', hold_expires_at: holdUntil(nowMinute + 1) }));
    expect(s.forRead(nowMinute)).toBe(s);
  });

  it('is a copy without the holds due at or before now, on both books, keeping the other expiries', () => {
    const s = aState();
    s.apply(row('gone', { status: 'held', hold_expires_at: holdUntil(nowMinute) }));
    s.apply(row('also', { status: 'held', hold_expires_at: holdUntil(nowMinute - 5) }));
    s.apply(row('later', { status: 'held', hold_expires_at: holdUntil(nowMinute + 60) }));
    s.apply(row('firm'));
    const r = s.forRead(nowMinute);
    expect(r).not.toBe(s);
    expect(
      r
        .book!.orders()
        .map((o) => o.id)
        .sort(),
    ).toEqual(['firm', 'later']);
    expect(
      r
        .route!.orders()
        .map((o) => o.id)
        .sort(),
    ).toEqual(['firm', 'later']);
    expect(expiries(r)).toEqual([['later', nowMinute + 60]]);
    expect(r.version).toBe(s.version);
    expect(r.config).toBe(s.config);
    // The state itself still has them: a read never writes.
    expect(s.book!.size).toBe(4);
    expect(s.holdExpiry.size).toBe(3);
  });

  it('reuses its copy while version, rules and the due holds are the same, and makes a new one when any moves', () => {
    const s = aState();
    s.apply(row('gone', { status: 'held', hold_expires_at: holdUntil(nowMinute) }));
    s.apply(row('later', { status: 'held', hold_expires_at: holdUntil(nowMinute + 60) }));
    const first = s.forRead(nowMinute);
    expect(s.forRead(nowMinute + 10)).toBe(first);
    const more = s.forRead(nowMinute + 60);
    expect(more).not.toBe(first);
    expect(more.book!.size).toBe(0);
    s.version = 2;
    const afterWrite = s.forRead(nowMinute + 60);
    expect(afterWrite).not.toBe(more);
    expect(s.forRead(nowMinute + 60)).toBe(afterWrite);
    expect(s.recalibrate(configOf(2, '20:00'))).toBe(true);
    expect(s.forRead(nowMinute + 60)).not.toBe(afterWrite);
  });

  it('is the state itself for a plant without a drum', () => {
    const config = { ...configOf(1), drum: null } as PlantConfig;
    const s = new PlantState(config, null, null, null, 1);
    s.holdExpiry.set('h', nowMinute - 1);
    expect(s.forRead(nowMinute)).toBe(s);
  });
});

describe('PlantState.recalibrate', () => {
  it('moves the books to the new drum calendar, keeping every order', () => {
    const s = aState(configOf(1, '22:00'));
    s.apply(row('a', { drum_load_minutes: 600 }));
    const before = s.book!.schedule(toMinute(NOW), 0)[0]!;
    const next = configOf(2, '14:00');
    expect(s.recalibrate(next)).toBe(true);
    expect(s.config).toBe(next);
    expect(s.book!.has('a')).toBe(true);
    expect(s.route!.has('a')).toBe(true);
    // 600 minutes from 08:00: 22:00 the same day on a 06–22 calendar, the next day on 06–14.
    const after = s.book!.schedule(toMinute(NOW), 0)[0]!;
    expect(after.finish).toBeGreaterThan(before.finish);
    expect(s.wt!.cumulative(toMinute(new Date('2026-11-24T00:00:00Z')))).toBe(
      buildWorkingTime(calendarOf('14:00')).cumulative(toMinute(new Date('2026-11-24T00:00:00Z'))),
    );
  });

  it('refuses (the caller rebuilds) when the drum changed or there is none', () => {
    const s = aState(configOf(1));
    s.apply(row('a'));
    const other = configOf(2, '22:00', 'saw');
    expect(s.recalibrate(other)).toBe(false);
    expect(s.config.configVersion).toBe(1);
    expect(s.recalibrate({ ...configOf(2), drum: null } as PlantConfig)).toBe(false);
    const bare = new PlantState({ ...configOf(1), drum: null } as PlantConfig, null, null, null, 1);
    expect(bare.recalibrate(configOf(2))).toBe(false);
  });
});
