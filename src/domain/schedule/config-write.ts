import type { Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { Actor } from '../actor.ts';

/**
 * As much of the schedule writer as a configuration write (buffer policy, routing) needs.
 * Typed apart from ScheduleWriter so that the modules plant-config.ts reads from do not
 * import the writer (no import cycle); the ScheduleWriter in ScheduleDeps satisfies it.
 */
export interface ConfigWriteContext {
  tx: Transaction<Database>;
  now: Date;
  /** See WriteContext.changeCapacityRules. */
  changeCapacityRules(): Promise<void>;
}

export interface ConfigWriteDeps {
  writer: { write<T>(plantId: string, actor: Actor | null, fn: (ctx: ConfigWriteContext) => Promise<T>): Promise<{ result: T }> };
}
