import type { DbOrTx } from '../../db/database.ts';
import { COMMITTED, drumRows } from '../../db/repos/orders.ts';
import { buildWorkingTime, DrumBook, type DrumOrder, type WorkingTime } from '../../engine/index.ts';
import { loadPlantConfig, type PlantConfig } from './plant-config.ts';

/** Rank of orders on the drum now: ahead of every frozen order (frozen ranks are positive). */
export const IN_PROGRESS_RANK = -1;

export const toMinute = (d: Date) => Math.floor(d.getTime() / 60_000);
export const fromMinute = (m: number) => new Date(m * 60_000);

type DrumRow = Awaited<ReturnType<typeof drumRows>>[number];

/**
 * One plant's engine state in this process, valid for exactly one schedule version.
 * Holds only what the engine needs (≈100 bytes per order); order details stay in the database.
 */
export class PlantState {
  /** Expiry minute of each hold, so reads can notice an expired hold without the sweep. */
  readonly holdExpiry = new Map<string, number>();

  constructor(
    readonly config: PlantConfig,
    readonly wt: WorkingTime | null,
    readonly book: DrumBook | null,
    public version: number,
  ) {}

  apply(row: DrumRow) {
    if (!this.book) return;
    const committed = COMMITTED.includes(row.status);
    if (committed) {
      const order = toDrumOrder(row);
      if (this.book.has(order.id)) this.book.update(order);
      else this.book.insert(order);
    } else this.book.remove(row.id);
    if (row.status === 'held' && row.hold_expires_at) this.holdExpiry.set(row.id, toMinute(row.hold_expires_at));
    else this.holdExpiry.delete(row.id);
  }

  /** True when some hold has expired by `nowMinute` and must be expired before answering. */
  hasExpiredHold(nowMinute: number): boolean {
    for (const m of this.holdExpiry.values()) if (m <= nowMinute) return true;
    return false;
  }
}

export const toDrumOrder = (row: DrumRow): DrumOrder => ({
  id: row.id,
  load: row.drum_load_minutes - row.drum_done_minutes,
  deadline: toMinute(row.drum_deadline),
  seq: row.seq,
  pinned: row.pinned || row.status === 'in_progress',
  // The order on the drum comes first, then the frozen ones in the order they were frozen.
  ...(row.status === 'in_progress' ? { pinRank: IN_PROGRESS_RANK } : row.pin_rank !== null ? { pinRank: row.pin_rank } : {}),
  productionBufferDays: row.production_buffer_days,
});

/**
 * The per-process cache of plant engine states, keyed by schedule version. A state that is
 * behind catches up from the rows changed since its version (changed_version) instead of
 * reloading every order; a change of capacity rules (config_version) rebuilds the book on the
 * new calendar from the orders already in memory.
 */
export class PlantCache {
  private states = new Map<string, PlantState>();

  invalidate(plantId: string) {
    this.states.delete(plantId);
  }

  peek(plantId: string): PlantState | undefined {
    return this.states.get(plantId);
  }

  /** Brings the plant's state to (scheduleVersion, configVersion) as read by the caller. */
  async sync(db: DbOrTx, plantId: string, scheduleVersion: number, configVersion: number): Promise<PlantState> {
    let cached = this.states.get(plantId);
    if (cached && cached.config.configVersion !== configVersion) {
      cached = await this.recalibrate(db, cached);
      if (cached) this.states.set(plantId, cached);
    }
    if (cached && cached.config.configVersion === configVersion) {
      if (cached.version < scheduleVersion) {
        for (const row of await drumRows(db, plantId, cached.version)) cached.apply(row);
        cached.version = scheduleVersion;
      }
      if (cached.version >= scheduleVersion) return cached;
    }
    const state = await this.build(db, plantId, scheduleVersion);
    this.states.set(plantId, state);
    return state;
  }

  /**
   * New capacity rules (a calendar or capacity change, buffers, routings) leave every stored
   * order as it was: only the drum's working time changes. So the state is rebuilt from the
   * orders this process already holds, on the new calendar, without reading them again;
   * rows changed meanwhile are caught up by the caller. A different drum means different
   * loads: then nothing is reused.
   */
  private async recalibrate(db: DbOrTx, cached: PlantState): Promise<PlantState | undefined> {
    const config = await loadPlantConfig(db, cached.config.plantId);
    if (!cached.book || !config.drum || config.drum.id !== cached.config.drum?.id) return undefined;
    const wt = buildWorkingTime(config.drum.calendar);
    const state = new PlantState(config, wt, cached.book.withWorkingTime(wt), cached.version);
    for (const [id, minute] of cached.holdExpiry) state.holdExpiry.set(id, minute);
    return state;
  }

  private async build(db: DbOrTx, plantId: string, scheduleVersion: number) {
    const config = await loadPlantConfig(db, plantId);
    const wt = config.drum ? buildWorkingTime(config.drum.calendar) : null;
    const rows = await drumRows(db, plantId);
    const book = wt ? new DrumBook(wt, rows.map(toDrumOrder)) : null;
    const state = new PlantState(config, wt, book, scheduleVersion);
    for (const row of rows) if (row.status === 'held' && row.hold_expires_at) state.holdExpiry.set(row.id, toMinute(row.hold_expires_at));
    return state;
  }
}
