import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startServiceProcess } from '../helpers/service-process.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

async function runCli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('start-up as an operator meets it', () => {
  const cleanup: string[] = [];
  afterAll(async () => {
    for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
  });

  it('starts from a checkout whose path has spaces (it used to exit 0 without serving)', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'drumbeat start-up '));
    cleanup.push(parent);
    const link = join(parent, 'my checkout');
    await symlink(root, link);
    const service = await startServiceProcess({ DATA_DIR: join(parent, 'data'), DATABASE_URL: '' }, join(link, 'src/server.ts'));
    try {
      expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    } finally {
      await service.stop();
    }
  }, 90_000);

  it('waits for an unreachable database, then gives up with one line and no stack trace', async () => {
    const res = await runCli(['src/cli/migrate.ts'], {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
      DATABASE_START_TIMEOUT_SECONDS: '1',
    });
    expect(res.code).toBe(1);
    const lines = res.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^drumbeat: cannot reach the database \(.*ECONNREFUSED.*\); gave up after 1 s$/);
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(lines.length).toBeLessThanOrEqual(2);
  });

  it.each([[['src/cli/keys.ts', 'list', '--bogus']], [['src/cli/migrate.ts', '--force']], [['src/server.ts', '--port=1']]])(
    '%j prints the usage and exits 2 on an unknown flag',
    async (args) => {
      const res = await runCli(args, { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none', DATABASE_START_TIMEOUT_SECONDS: '0' });
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(/Unknown option/);
      expect(res.stderr).toMatch(/Usage:/);
    },
  );
});
