import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Below this many orders a cold build's garbage is small enough for V8's own pace. */
const LARGE_BUILD = 20_000;

let collect: (() => void) | null | undefined;

/**
 * A cold build reads every committed row of the plant once: at 100k orders tens of MB of
 * database rows that live across the page reads, so they are promoted, and V8 then sizes
 * the old generation on a heap that held them beside the books. It returns those pages only
 * at its next full collection, which under load may come much later; until then the
 * process is that much larger. One full collection right after a large cold build (tens of
 * ms, once per plant and process, never on a quote or a write) gives them back at once.
 */
export function collectAfterColdBuild(orders: number): void {
  if (orders < LARGE_BUILD) return;
  if (collect === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    } catch {
      collect = null;
    }
  }
  collect?.();
}
