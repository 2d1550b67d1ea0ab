import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlantState } from '../../src/domain/schedule/plant-cache.ts';
import type { PlantConfig } from '../../src/domain/schedule/plant-config.ts';
import { buildWorkingTime, DrumBook, RouteBook, type Calendar, type DrumOrder } from '../../src/engine/index.ts';
import { workingTimesOf } from '../../src/domain/schedule/route-state.ts';

// 2026-11-23 00:00 UTC, a Monday, in minutes.
const MONDAY = Math.floor(Date.parse('2026-11-23T00:00:00Z') / 60_000);
const days = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
const calendarOf = (end: string): Calendar => ({
  timeZone: 'UTC',
  weekly: days.map((day) => ({ day, start: '06:00', end })),
  exceptions: [],
});
const configOf = (configVersion: number, end: string) =>
  ({
    plantId: 'p',
    timeZone: 'UTC',
    configVersion,
    drum: { id: 'drum', calendar: calendarOf(end) },
    resources: new Map([['drum', { id: 'drum', isDrum: true, calendar: calendarOf(end) }]]),
  }) as unknown as PlantConfig;

const IDS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

type Op =
  | { kind: 'upsert'; id: string; load: number; deadlineDays: number; pinned: boolean; pinRank: number | null; expiry: number | null }
  | { kind: 'remove'; id: string }
  | { kind: 'expire'; id: string }
  | { kind: 'recalibrate'; end: string };

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('upsert' as const),
      id: fc.constantFrom(...IDS),
      load: fc.integer({ min: 0, max: 600 }),
      deadlineDays: fc.integer({ min: 0, max: 20 }),
      pinned: fc.boolean(),
      pinRank: fc.option(fc.integer({ min: -1, max: 5 })),
      expiry: fc.option(fc.integer({ min: 0, max: 5_000 })),
    }),
    weight: 5,
  },
  { arbitrary: fc.record({ kind: fc.constant('remove' as const), id: fc.constantFrom(...IDS, 'missing') }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('expire' as const), id: fc.constantFrom(...IDS) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('recalibrate' as const), end: fc.constantFrom('14:00', '22:00', '24:00') }), weight: 1 },
);

let seq = 0;
let configVersion = 1;

/** Applies one change the way the write path does: rows through apply(), expiries, new capacity rules. */
function run(state: PlantState, op: Op) {
  switch (op.kind) {
    case 'upsert': {
      const order: DrumOrder = {
        id: op.id,
        load: op.load,
        deadline: MONDAY + op.deadlineDays * 1440 + 1439,
        seq: state.book?.get(op.id)?.seq ?? ++seq,
        ...(op.pinned ? { pinned: true } : {}),
        ...(op.pinned && op.pinRank !== null ? { pinRank: op.pinRank } : {}),
      };
      if (state.book!.has(op.id)) state.book!.update(order);
      else state.book!.insert(order);
      if (op.expiry === null) state.holdExpiry.delete(op.id);
      else state.holdExpiry.set(op.id, MONDAY + op.expiry);
      return;
    }
    case 'remove':
      state.book!.remove(op.id);
      state.holdExpiry.delete(op.id);
      return;
    case 'expire':
      state.holdExpiry.delete(op.id);
      return;
    case 'recalibrate':
      expect(state.recalibrate(configOf(++configVersion, op.end))).toBe(true);
  }
}

/** A deep copy of everything a rollback must restore, plus answers that depend on the tree. */
function snapshot(state: PlantState) {
  const book = state.book!;
  const now = MONDAY + 360;
  return {
    config: state.config,
    wt: state.wt,
    orders: structuredClone(book.orders()),
    expiry: [...state.holdExpiry.entries()].sort(([a], [b]) => a.localeCompare(b)),
    totalLoad: book.totalLoad,
    feasible: book.feasible(now),
    earliest: [0, 100, 1_000].map((load) => book.earliestDeadline(now, load)),
    schedule: book.schedule(now, 3),
  };
}

function aState() {
  const config = configOf(configVersion, '22:00');
  const wt = buildWorkingTime(config.drum!.calendar);
  return new PlantState(config, wt, new DrumBook(wt, []), new RouteBook('drum', workingTimesOf(config), []), 1);
}

const arbOps = (max: number) => fc.array(arbOp, { maxLength: max });

describe('PlantState checkpoint and rollback', () => {
  it('rollback restores a deep copy taken at the checkpoint, after any mix of inserts, updates, removals, expiries and recalibrations', () => {
    fc.assert(
      fc.property(arbOps(30), arbOps(30), (before, after) => {
        const state = aState();
        for (const op of before) run(state, op);
        const copy = snapshot(state);
        const cp = state.checkpoint();
        for (const op of after) run(state, op);
        state.rollback(cp);
        expect(snapshot(state)).toEqual(copy);
        // The restored book answers like one built afresh from its orders.
        expect(snapshot(state).earliest).toEqual(
          snapshot(new PlantState(state.config, state.wt, new DrumBook(state.wt!, copy.orders), state.route, 1)).earliest,
        );
      }),
      { numRuns: 300 },
    );
  });

  it('nested checkpoints roll back to their own marks, inner first', () => {
    fc.assert(
      fc.property(arbOps(15), arbOps(15), arbOps(15), (a, b, c) => {
        const state = aState();
        const outer = state.checkpoint();
        const atOuter = snapshot(state);
        for (const op of a) run(state, op);
        const inner = state.checkpoint();
        const atInner = snapshot(state);
        for (const op of b) run(state, op);
        state.rollback(inner);
        expect(snapshot(state)).toEqual(atInner);
        for (const op of c) run(state, op);
        state.rollback(outer);
        expect(snapshot(state)).toEqual(atOuter);
      }),
      { numRuns: 200 },
    );
  });

  it('release keeps the changes, stops recording and ends the checkpoints taken after it', () => {
    fc.assert(
      fc.property(arbOps(20), (ops) => {
        const state = aState();
        const cp = state.checkpoint();
        const inner = state.checkpoint();
        for (const op of ops) run(state, op);
        const changed = snapshot(state);
        state.release(cp);
        expect(snapshot(state)).toEqual(changed);
        expect(() => state.rollback(inner)).toThrow(RangeError);
      }),
      { numRuns: 100 },
    );
  });
});

describe('PlantState fork (what-if scenarios)', () => {
  it('a fork and its original change independently: writes to either leave the other as it was', () => {
    fc.assert(
      fc.property(arbOps(20), arbOps(20), arbOps(20), (before, onFork, onOriginal) => {
        const state = aState();
        for (const op of before) run(state, op);
        const atFork = snapshot(state);
        const fork = state.fork();
        expect(snapshot(fork)).toEqual(atFork);
        for (const op of onFork) run(fork, op);
        expect(snapshot(state)).toEqual(atFork);
        const forkAfter = snapshot(fork);
        for (const op of onOriginal) run(state, op);
        expect(snapshot(fork)).toEqual(forkAfter);
      }),
      { numRuns: 200 },
    );
  });
});
