import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/db/connect.ts';
import { DataDirInUseError, lockDataDir } from '../../src/db/data-dir-lock.ts';

// An embedded data directory serves one process: a CLI run beside a running server once
// "created" a key the server never saw (found by a review).
describe('the embedded data directory lock', () => {
  const dirs: string[] = [];
  const newDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'drumbeat-lock-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('refuses a directory another live process holds, naming it', () => {
    const dir = newDir();
    // The test runner's parent process is alive for the whole test.
    writeFileSync(join(dir, 'drumbeat.lock'), String(process.ppid));
    expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
    expect(() => lockDataDir(dir)).toThrow(new RegExp(`in use by process ${process.ppid}`));
  });

  it('takes over the lock of a process that is gone, and releases it', () => {
    const dir = newDir();
    const gone = spawnSync(process.execPath, ['-e', 'process.pid']).pid!;
    writeFileSync(join(dir, 'drumbeat.lock'), String(gone));
    const unlock = lockDataDir(dir);
    expect(readFileSync(join(dir, 'drumbeat.lock'), 'utf8')).toBe(String(process.pid));
    unlock();
    expect(existsSync(join(dir, 'drumbeat.lock'))).toBe(false);
  });

  it('openPglite refuses a held directory before opening the database, and frees it on close', async () => {
    const dir = newDir();
    writeFileSync(join(dir, 'drumbeat.lock'), String(process.ppid));
    await expect(openPglite(dir)).rejects.toThrow(DataDirInUseError);
    rmSync(join(dir, 'drumbeat.lock'));
    const handle = await openPglite(dir);
    expect(readFileSync(join(dir, 'drumbeat.lock'), 'utf8')).toBe(String(process.pid));
    await handle.close();
    expect(existsSync(join(dir, 'drumbeat.lock'))).toBe(false);
  });
});
