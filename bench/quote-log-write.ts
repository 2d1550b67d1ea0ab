// The quote recorder's write alone, without HTTP: CPU per quote record of the service (this
// process: building the batch and sending it) and of the PostgreSQL backend (storing it), for
// batches as the recorder writes them under quote load (a flush a second). Precise where the
// quote scenario's per-request figures are noisy on a busy machine: run it from two checkouts
// alternately to compare two versions of insertQuoteLog.
// `npx tsx bench/quote-log-write.ts [rowsPerBatch=3000] [batches=10] [rounds=3]`; PostgreSQL from
// BENCH_DATABASE_URL or TEST_DATABASE_URL (a database of its own, dropped at the end).
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { openPostgres } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { insertQuoteLog, type QuoteLogInsert } from '../src/db/repos/quote-log.ts';
import { timeOrderedId } from '../src/domain/promising/quotes.ts';
import { adminUrl, createBenchDatabase, dropBenchDatabase } from './pg-admin.ts';

const [perBatch = 3_000, batches = 10, rounds = 3] = process.argv.slice(2).map(Number);
const admin = adminUrl();
const dbName = `drumbeat_qlog_${process.pid}`;
const url = await createBenchDatabase(admin, dbName);
const handle = openPostgres(url, 1);

const cpuOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

let clock = Date.now();
/** A batch as the bench's quotes make it: one plant, key and product, a few ms apart. */
const batch = (): QuoteLogInsert[] =>
  Array.from({ length: perBatch }, (_, i) => {
    const at = new Date((clock += i % 3 === 0 ? 1 : 0));
    return {
      plantId: 'q-10000',
      id: timeOrderedId(at),
      at,
      actor: 'bench sales key (sales)',
      sku: 'BENCH-1',
      quantity: 40,
      requestedDate: '2027-01-30',
      earliestPromiseDate: '2027-01-30',
      requestedFeasible: true,
      drumLoadMinutes: 47,
      scheduleVersion: 10_001,
      owner: 'key:0123456789abcdef',
      customer: null,
    };
  });

try {
  await migrateToLatest(handle.db);
  const pid = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(handle.db)).rows[0]!.pid;
  for (let i = 0; i < 5; i++) await insertQuoteLog(handle.db, batch(), { mayExist: false }); // warm-up, and rows to insert among
  for (let r = 0; r < rounds; r++) {
    const data = Array.from({ length: batches }, batch);
    const pg0 = cpuOf(pid);
    const me0 = selfCpu();
    for (const rows of data) await insertQuoteLog(handle.db, rows, { mayExist: false });
    const n = batches * perBatch;
    console.log(
      `round ${r + 1}: ${n} records; µs a record: service ${(((selfCpu() - me0) * 1e6) / n).toFixed(2)}, PostgreSQL ${(((cpuOf(pid) - pg0) * 1e6) / n).toFixed(2)}`,
    );
  }
} finally {
  await handle.close();
  await dropBenchDatabase(admin, dbName);
}
