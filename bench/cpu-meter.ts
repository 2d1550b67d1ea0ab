import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { Service } from './service.ts';

/** CPU seconds per process group over one measured run. */
export interface CpuSplit {
  /** The bench process itself: the load generator (nothing else runs in it meanwhile). */
  client: number;
  /** The service processes, summed. */
  service: number;
  /** The PostgreSQL backends connected to the bench database, summed (background writer, WAL writer etc. left out: the machine's other users share them). */
  postgres: number;
}

/** Clock ticks per second of /proc's CPU counters (USER_HZ: 100 on Linux whatever the kernel's HZ). */
const USER_HZ = 100;

function procCpuSeconds(pid: number): number | null {
  try {
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th of the line.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return null; // gone, or not on this machine
  }
}

async function backendPids(url: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return r.rows.map((x) => x.pid);
  } finally {
    await client.end();
  }
}

/**
 * Starts measuring; the returned function gives the CPU spent since, per group. PostgreSQL's
 * backends are read from /proc (the server runs on this machine); a backend that started
 * during the run counts from its start, one that ended during it is missed (the service
 * pools keep their connections, so neither happens in a steady run).
 */
export async function startCpuMeter(url: string, services: Service[]): Promise<() => Promise<CpuSplit>> {
  const pgBefore = new Map<number, number>();
  for (const pid of await backendPids(url)) {
    const s = procCpuSeconds(pid);
    if (s !== null) pgBefore.set(pid, s);
  }
  const serviceBefore = services.map((s) => s.cpuSeconds());
  const clientBefore = process.cpuUsage();
  return async () => {
    const c = process.cpuUsage(clientBefore);
    const service = services.reduce((sum, s, i) => sum + s.cpuSeconds() - serviceBefore[i]!, 0);
    let postgres = 0;
    for (const pid of await backendPids(url)) {
      const s = procCpuSeconds(pid);
      if (s !== null) postgres += s - (pgBefore.get(pid) ?? 0);
    }
    return { client: (c.user + c.system) / 1e6, service, postgres };
  };
}
