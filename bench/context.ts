import type { Db } from '../src/db/database.ts';
import type { BenchOptions } from './options.ts';
import type { BenchKeys } from './seed.ts';

/** The bench's Postgres database, created for this run and dropped at the end. */
export interface PgBench {
  url: string;
  db: Db;
  keys: BenchKeys;
}

export interface BenchContext {
  opts: BenchOptions;
  pg: PgBench | null;
  /** Where service CPU profiles are written when profiling. */
  profileDir: string;
  log(message: string): void;
}

/** The plant seeded with `n` open orders for the quote scenario. */
export const quotePlant = (n: number) => `q-${n}`;
