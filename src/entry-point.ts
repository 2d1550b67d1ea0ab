import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * True when the module at `moduleUrl` is the program Node was asked to run. Compares real file
 * paths, not URL strings: a path with spaces is percent-encoded in the URL and a symlinked
 * checkout resolves differently, and either used to make the server exit 0 without starting.
 */
export function isEntryPoint(moduleUrl: string, argv1: string | undefined = process.argv[1]): boolean {
  if (!argv1) return false;
  try {
    return realpathSync(fileURLToPath(moduleUrl)) === realpathSync(argv1);
  } catch {
    return false;
  }
}
