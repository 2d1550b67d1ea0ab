import { describe, expect, it } from 'vitest';
import { CommitLoop, type GroupCommitter, type PendingBatch } from '../../src/domain/schedule/commit-group.ts';

// Review of 8a63310 (CommitLoop: MAX_ASIDE = 4 per-plant transactions outside the loop's count).
// Five plants whose locks are held elsewhere for long (another process's simulations or
// capacity rebuilds: seconds) fill the four places aside and one loop turn. A plant alone
// starts only when the loop runs nothing (pump), and its 20 ms bound now goes aside only while
// there is room: so a write to a plant nobody holds, arriving alone, waits until one of the
// unrelated locks is granted, while five of the pool's ten connections are idle. Before
// 8a63310 it went aside after 20 ms and committed. LOCK_WAIT_MS: "a busy plant must not hold
// up the process's other plants".

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** Plants in `busy` are locked elsewhere until `grant`; every other plant's lock is free. */
function someLockedElsewhere(busy: Set<string>) {
  const waiting = new Map<string, () => void>();
  const committer: GroupCommitter<string> = {
    group: async (group: PendingBatch<string>[]) => ({ skipped: group.filter((p) => busy.has(p.plantId)), alone: [] }),
    single: (p, locked) => {
      if (!busy.has(p.plantId)) {
        locked();
        return Promise.resolve();
      }
      return new Promise<void>((resolve) =>
        waiting.set(p.plantId, () => {
          waiting.delete(p.plantId);
          locked();
          resolve();
        }),
      );
    },
  };
  return { committer, waiting, grantAll: () => [...waiting.values()].forEach((g) => g()) };
}

describe('the commit loop with five plants locked elsewhere for long', () => {
  it('commits a lone write to a free plant within a few LOCK_WAIT_MS, not after an unrelated lock is granted', async () => {
    const busy = Array.from({ length: 5 }, (_, i) => `busy${i}`);
    const c = someLockedElsewhere(new Set(busy));
    const loop = new CommitLoop(c.committer);
    const done: Promise<void>[] = [];
    try {
      // One at a time, each alone: four give the loop's turn back and wait aside, the fifth
      // keeps the turn (no room aside).
      for (const p of busy) {
        done.push(loop.commit(p, [p], []));
        await tick(60);
      }
      expect(c.waiting.size).toBe(5);
      let committed = false;
      done.push(loop.commit('free', ['free'], []).then(() => void (committed = true)));
      await tick(200);
      expect(committed).toBe(true);
    } finally {
      // Let everything settle (no timers left re-arming).
      while (c.waiting.size > 0) {
        c.grantAll();
        await tick(60);
      }
      await Promise.all(done);
    }
  });
});
