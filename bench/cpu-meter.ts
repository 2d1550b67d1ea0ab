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

/**
 * CPU seconds the whole machine has spent busy since boot, all cores together (/proc/stat's first
 * line: user, nice, system, irq, softirq and steal; idle and iowait left out). Steal counts as busy:
 * a neighbour on the host slows this machine's measurements as much as a process on it would.
 */
export function machineBusySeconds(): number | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
    return (user + nice + system + irq + softirq + steal) / USER_HZ;
  } catch {
    return null; // not Linux
  }
}

/**
 * Starts watching the machine's other work: the returned function gives the cores that processes
 * other than the bench's own kept busy since, on average (what the machine's other users added to
 * the run). `ownSeconds` is the CPU the bench's processes (client, services, PostgreSQL backends)
 * spent over the same span. Null where /proc/stat cannot be read.
 */
export function startOtherLoad(): (ownSeconds: number) => number | null {
  const busy0 = machineBusySeconds();
  const t0 = performance.now();
  return (ownSeconds) => {
    const busy1 = machineBusySeconds();
    const seconds = (performance.now() - t0) / 1000;
    if (busy0 === null || busy1 === null || seconds <= 0) return null;
    return Math.max(0, busy1 - busy0 - ownSeconds) / seconds;
  };
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
