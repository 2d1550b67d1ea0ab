import { mkdirSync, openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

/** A second process opened an embedded data directory that another one is using. */
export class DataDirInUseError extends Error {}

/**
 * One process at a time per embedded data directory. PGlite does not lock its files: a CLI run
 * beside a running server (e.g. `keys create`) wrote into its own copy of the database, reported
 * success, and the key was lost, with the files at risk besides. The lock is a file holding the
 * owner's pid; a lock whose process is gone (a crash) is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'drumbeat.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, 'utf8') === String(process.pid)) unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(readFileSync(path, 'utf8'));
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner))
        throw new DataDirInUseError(
          `the data directory ${dataDir} is in use by process ${owner}: stop the server first, or use the API (an embedded database serves one process)`,
        );
      unlinkSync(path);
    }
  }
  throw new DataDirInUseError(`could not lock the data directory ${dataDir}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
