import { afterAll, beforeAll } from 'vitest';
import type { Actor } from '../../src/domain/actor.ts';
import { putBufferPolicy } from '../../src/domain/buffer-policy.ts';
import { fixedClock } from '../../src/domain/clock.ts';
import { createPlant } from '../../src/domain/plants.ts';
import { putProduct } from '../../src/domain/products.ts';
import { resolveDemand } from '../../src/domain/promising/evaluate.ts';
import { orderEventData, reserve, type ReserveInput } from '../../src/domain/promising/reserve.ts';
import { putResource } from '../../src/domain/resources.ts';
import { PlantCache } from '../../src/domain/schedule/plant-cache.ts';
import { ScheduleWriter, type ScheduleDeps, type WriteContext } from '../../src/domain/schedule/schedule-writer.ts';
import { twoShiftWeek } from './builders.ts';
import { databaseKinds } from './planning.ts';
import { openTestDb, type TestDb } from './db.ts';

// The write path without an HTTP server: a database, a fixed clock and a ScheduleWriter,
// with plants set up through the domain's own use cases. Mutation runs (docs/testing.md)
// rerun these tests per mutant, so they must cost seconds.

export const START = '2026-11-23T08:00:00Z'; // a Monday

export const planner: Actor = { keyId: 'k-pl', name: 'pat', role: 'planner', principal: 'pat', plantIds: null };
export const sales: Actor = { keyId: 'k-sa', name: 'sam', role: 'sales', principal: 'sam', plantIds: null };

export interface WriterHarness {
  db: TestDb;
  clock: ReturnType<typeof fixedClock>;
  cache: PlantCache;
  writer: ScheduleWriter;
  deps: ScheduleDeps;
  close(): Promise<void>;
}

export async function openWriter(kind: 'postgres' | 'pglite'): Promise<WriterHarness> {
  const db = await openTestDb({ kind });
  const clock = fixedClock(START);
  const cache = new PlantCache();
  const writer = new ScheduleWriter({ db: db.db, clock, cache });
  return { db, clock, cache, writer, deps: { ...writer.deps, writer }, close: () => db.close() };
}

/** Another process on the same database: its own cache and writer. */
export function otherProcess(h: WriterHarness, cache = new PlantCache()): ScheduleWriter {
  return new ScheduleWriter({ db: h.db.db, clock: h.clock, cache });
}

/** A plant with a two-shift drum "cnc", a saw, P1 (drum only: 30 + 10/unit) and SAWN (saw, then drum). */
export async function setUpPlant(
  h: WriterHarness,
  id: string,
  policy = { productionBufferDays: 2, shippingBufferDays: 1, standardLeadTimeDays: 2 },
) {
  await createPlant(h.db.db, { id, name: id, timeZone: 'UTC' });
  const calendar = { weekly: twoShiftWeek, exceptions: [] };
  await putResource(h.deps, null, id, 'cnc', { name: 'CNC', drum: true, calendar });
  await putResource(h.deps, null, id, 'saw', { name: 'Saw', drum: false, calendar });
  await putProduct(h.deps, null, id, 'P1', { name: 'P1', routing: [{ resource: 'cnc', setupMinutes: 30, runMinutesPerUnit: 10 }] });
  await putProduct(h.deps, null, id, 'SAWN', {
    name: 'Sawn',
    routing: [
      { resource: 'saw', setupMinutes: 5, runMinutesPerUnit: 1 },
      { resource: 'cnc', setupMinutes: 30, runMinutesPerUnit: 10 },
    ],
  });
  await putBufferPolicy(h.deps, null, id, policy);
}

/** Inside a write: a new order through reserve (the promising path), with its event. */
export async function reserveIn(ctx: WriteContext, demand: { sku?: string; quantity: number }, input: Partial<ReserveInput> = {}) {
  const d = resolveDemand(ctx.state, { sku: demand.sku ?? 'P1', quantity: demand.quantity }, { maxOrderQuantity: 1_000_000 });
  const row = await reserve(ctx, d, { status: 'confirmed', customer: 'acme', ...input });
  ctx.emit({
    type: input.status === 'held' ? 'hold.created' : 'order.created',
    orderId: row.id,
    data: { ...orderEventData(row), ...(input.status === 'held' ? { expiresAt: row.hold_expires_at?.toISOString() } : {}) },
  });
  return row;
}

/**
 * The databases these tests run on: both (databaseKinds) unless WRITE_PATH_DB names one. A
 * mutation run names postgres: PGlite's per-file migration costs ten times the tests.
 */
export function writerKinds(): readonly ('postgres' | 'pglite')[] {
  const only = process.env.WRITE_PATH_DB;
  return only === 'postgres' || only === 'pglite' ? [only] : databaseKinds();
}

/**
 * The harness of a describe block: opened (and `setUp` run on it) before its tests, closed
 * after them. The object is filled in beforeAll, so read its fields inside tests and hooks only.
 */
export function useWriter(kind: 'postgres' | 'pglite', setUp?: (h: WriterHarness) => Promise<void>): WriterHarness {
  const h = {} as WriterHarness;
  beforeAll(async () => {
    Object.assign(h, await openWriter(kind));
    await setUp?.(h);
  });
  afterAll(async () => {
    // A test that moved the clock must not leave it moved for the next file's harness.
    h.clock.set(START);
    await h.close();
  });
  return h;
}

/** Fresh plants on the harness, `prefix-1`, `prefix-2`…, each set up by setUpPlant and then `extra`. */
export function plantMaker(h: WriterHarness, prefix: string, extra?: (id: string) => Promise<void>): () => Promise<string> {
  let plants = 0;
  return async () => {
    const id = `${prefix}-${++plants}`;
    await setUpPlant(h, id);
    await extra?.(id);
    return id;
  };
}

export const plantVersions = (h: WriterHarness, plant: string) =>
  h.db.db.selectFrom('plants').select(['schedule_version', 'config_version']).where('id', '=', plant).executeTakeFirstOrThrow();

/** The plant's state as a fresh cache syncs it to the stored versions. */
export async function syncedState(h: WriterHarness, plant: string, cache = new PlantCache()) {
  const v = await plantVersions(h, plant);
  return cache.sync(h.db.db, plant, v.schedule_version, v.config_version);
}
