import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startServiceProcess } from '../helpers/service-process.ts';

const run = promisify(execFile);

// The embedded default as a newcomer meets it: bootstrap a key with the CLI, start the
// service on a data directory, stop it with SIGTERM, start it again: the data is still there.
describe('the service process on the embedded database', () => {
  let dataDir: string;
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps its data across a graceful restart', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'drumbeat-'));
    const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' };
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/keys.ts', 'create', '--role', 'admin'], { env });
    const key = /^(drb_\S+)$/m.exec(stdout)?.[1];
    expect(key).toBeDefined();
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

    const first = await startServiceProcess({ DATA_DIR: dataDir, DATABASE_URL: '' });
    const created = await fetch(`${first.url}/v1/plants`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ id: 'kept', name: 'Kept', timeZone: 'UTC' }),
    });
    expect(created.status).toBe(201);
    await first.stop();
    expect(first.child.exitCode).toBe(0);

    const second = await startServiceProcess({ DATA_DIR: dataDir, DATABASE_URL: '' });
    try {
      const res = await fetch(`${second.url}/v1/plants/kept`, { headers });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { name: string }).name).toBe('Kept');
    } finally {
      await second.stop();
    }
  }, 90_000);
});
