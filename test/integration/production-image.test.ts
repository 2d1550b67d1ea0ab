import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, rm, symlink } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/db/connect.ts';
import { insertQuoteLog } from '../../src/db/repos/quote-log.ts';
import { DEMO_PLANT, seedDemoPlant } from '../../src/domain/demo.ts';
import { freePort } from '../helpers/service-process.ts';

const run = promisify(execFile);
const oldQuote = {
  plantId: DEMO_PLANT,
  at: new Date('2020-03-02T10:00:00Z'),
  actor: 'test',
  sku: 'VALVE-50',
  quantity: 1,
  requestedDate: null,
  earliestPromiseDate: '2020-03-09',
  requestedFeasible: null,
  drumLoadMinutes: 42,
  scheduleVersion: 1,
  owner: null,
  customer: null,
};
const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The image's command, outside Docker (there is no engine in CI): the build stage's
 * `npm run build` output beside package.json and node_modules, as in the image's /app, started
 * as `node dist/src/server.js` on the embedded database and stopped with SIGTERM as
 * `docker stop` does. Built once for the file (about 10 s of tsc).
 */
describe('the production command (node dist/src/server.js)', () => {
  let app: string;
  let dataDir: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    app = await mkdtemp(join(tmpdir(), 'drumbeat-image-'));
    dataDir = join(app, 'data');
    await copyFile(join(root, 'package.json'), join(app, 'package.json'));
    await symlink(join(root, 'node_modules'), join(app, 'node_modules'));
    await run(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', join(app, 'dist')],
      {
        cwd: root,
      },
    );
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    if (app) await rm(app, { recursive: true, force: true });
  });

  it('migrates from compiled migrations, runs the quote retention, then on SIGTERM stops accepting, finishes the request in flight, flushes its quote record and exits 0', async () => {
    const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', MIGRATION_DATABASE_URL: '', NODE_ENV: 'production' };
    // The compiled CLI migrates a fresh data directory: the migrations are found in dist/.
    const { stdout: keyOut } = await run(process.execPath, ['dist/src/cli/keys.js', 'create', '--role', 'sales'], { cwd: app, env });
    const key = /^(drb_\S+)$/m.exec(keyOut)?.[1];
    expect(key).toBeDefined();
    const seeding = await openPglite(dataDir);
    await seedDemoPlant(seeding.db);
    // A quote record far past the retention the server is started with: folded at start.
    const old = { ...oldQuote, id: randomUUID() };
    await insertQuoteLog(seeding.db, [old]);
    await seeding.close();

    const port = await freePort();
    const server = spawn(process.execPath, ['dist/src/server.js'], {
      cwd: app,
      env: { ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', QUOTE_LOG_RETENTION_DAYS: '30' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = server;
    let output = '';
    server.stdout.on('data', (d) => (output += String(d)));
    server.stderr.on('data', (d) => (output += String(d)));
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    const url = `http://127.0.0.1:${port}`;
    await until(
      async () => (await get(`${url}/readyz`)) === 200,
      () => server.exitCode !== null,
      () => output,
    );

    // A quote whose headers the server has read (it answered 100 Continue) and whose body is
    // not yet sent: in flight when the signal arrives.
    const body = JSON.stringify({ sku: 'VALVE-50', quantity: 20 });
    const req = request(`${url}/v1/plants/${DEMO_PLANT}/quotes`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        expect: '100-continue',
      },
    });
    const response = new Promise<{ status: number; json: { quoteId: string } }>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d) => (text += String(d)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as { quoteId: string } }));
      });
      req.on('error', reject);
    });
    response.catch(() => {}); // awaited below; a failure before then must not be unhandled
    await new Promise<void>((resolve) => req.once('continue', resolve));

    server.kill('SIGTERM');
    // It stops accepting: a new connection is refused while the quote is still open.
    const refused = await until(
      () =>
        new Promise<string | undefined>((resolve) => {
          const socket = connect(port, '127.0.0.1');
          socket.once('connect', () => (socket.destroy(), resolve(undefined)));
          socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code));
        }),
      () => server.exitCode !== null,
      () => output,
    );
    expect(refused).toBe('ECONNREFUSED');
    expect(server.exitCode).toBeNull();

    req.end(body);
    const answered = await response.catch((e: unknown) => {
      throw new Error(`the request in flight failed (${String(e)}); server output: ${output}`);
    });
    expect(answered.status).toBe(200);
    expect(await exited).toBe(0);
    expect(output).toMatch(/"signal":"SIGTERM".*stopping/);

    // The quote was recorded off the request path; the close flushed it before the database closed.
    const after = await openPglite(dataDir);
    try {
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM quote_log WHERE id = ${answered.json.quoteId}`.execute(
        after.db,
      );
      expect(rows[0]?.n).toBe(1);
    } finally {
      await after.close();
    }
  }, 120_000);
});

/** A GET on a connection of its own (no keep-alive pool a closing server would cut). */
const get = (url: string) =>
  new Promise<number>((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });

/** Polls `probe` until it returns a truthy value; fails at once if the process died. */
async function until<T>(probe: () => Promise<T>, died: () => boolean, output: () => string, attempts = 900): Promise<NonNullable<T>> {
  for (let i = 0; i < attempts; i++) {
    if (died()) throw new Error(`server exited: ${output()}`);
    try {
      const v = await probe();
      if (v) return v;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting: ${output()}`);
}
