import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Production runs the compiled build (`npm run start:prod` = node dist/src/server.js), so the
 * bench does too: under tsx every closure creation is wrapped (keepNames), a cost of several µs
 * per order that ships nowhere. `--from-source` keeps the old `node --import tsx src/server.ts`.
 */
let fromSource = false;
export function runServicesFromSource(on: boolean) {
  fromSource = on;
}

let compiled: Promise<string> | null = null;

/**
 * Brings dist/ up to date with the production build's own tsc step (tsconfig.build.json) and
 * returns the server's entry point, once per bench process. It writes exactly what
 * `npm run build` writes there (the web app is not needed: /app answers 503 without it);
 * incremental, so an unchanged tree recompiles in seconds. The build info lives inside dist/,
 * so the build's removal of dist/ also forgets it.
 */
export function compiledServer(): Promise<string> {
  compiled ??= new Promise<string>((resolve, reject) => {
    const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = [tsc, '-p', 'tsconfig.build.json', '--incremental', '--tsBuildInfoFile', path.join('dist', '.tsbuildinfo')];
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(path.join(repoRoot, 'dist', 'src', 'server.js'));
      else reject(new Error(`tsc -p tsconfig.build.json exited with ${code}:\n${output.slice(-4_000)}`));
    });
  });
  return compiled;
}

export interface ServiceOptions {
  name: string;
  /** Postgres URL; absent: PGlite in dataDir. */
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  /** Write V8 CPU profiles (one per thread; from source, tsx's loader runs in a worker) under this directory when the process stops. */
  cpuProfDir?: string | undefined;
  /** Extra environment for the service (e.g. EVENT_LOOP_PROBE=on). */
  env?: Record<string, string> | undefined;
}

export interface Service {
  name: string;
  url: string;
  pid: number;
  /** Resident set size now, in bytes (Linux /proc). */
  rss(): number;
  /** CPU time the process has used so far (user + system, all its threads, the GC's included), in seconds (Linux /proc). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts `node dist/src/server.js` (or `node --import tsx src/server.ts`) on its own port and waits for GET /readyz = 200. */
export async function startService(opts: ServiceOptions): Promise<Service> {
  const entry = fromSource ? path.join(repoRoot, 'src', 'server.ts') : await compiledServer();
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    // The bench seeds no holds; keep the sweep out of the measurements.
    HOLD_SWEEP_SECONDS: '3600',
  };
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
  if (opts.dataDir) env.DATA_DIR = opts.dataDir;
  Object.assign(env, opts.env);
  const nodeArgs = fromSource ? ['--import', 'tsx'] : [];
  if (opts.cpuProfDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${path.join(opts.cpuProfDir, opts.name)}`);
  const child = spawn(process.execPath, [...nodeArgs, entry], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-4_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => running.delete(child));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service ${opts.name} exited with ${child.exitCode} before it was ready:\n${output}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`service ${opts.name} not ready after 90 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    name: opts.name,
    url,
    pid: child.pid!,
    rss: () => rssOf(child.pid!),
    cpuSeconds: () => cpuSecondsOf(child.pid!),
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Clock ticks per second of /proc's CPU counters (USER_HZ: 100 on Linux whatever the kernel's HZ). */
const USER_HZ = 100;

function cpuSecondsOf(pid: number): number {
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th of the line.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}
