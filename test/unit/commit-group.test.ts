import { describe, expect, it } from 'vitest';
import { CommitLoop, type GroupCommitter, type PendingBatch } from '../../src/domain/schedule/commit-group.ts';

// The commit loop (commit-group.ts) over a committer without a database: every plant's lock is
// held elsewhere (a group skips them all, the per-plant path waits until the test grants it).
// Per-plant transactions outside the loop's count hold a connection each while they wait: at
// most four at once (MAX_ASIDE), and every plant still gets its turn.

const MAX_ASIDE = 4;

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** A committer whose groups lock nothing and whose per-plant runs wait for `grant(plant)`. */
function lockedElsewhere() {
  const waiting = new Map<string, () => void>();
  const order: string[] = [];
  let running = 0;
  let most = 0;
  const committer: GroupCommitter<string> = {
    group: async (group: PendingBatch<string>[]) => ({ skipped: group, alone: [] }),
    single: (p, locked) => {
      running++;
      most = Math.max(most, running);
      return new Promise<void>((resolve) =>
        waiting.set(p.plantId, () => {
          waiting.delete(p.plantId);
          locked();
          order.push(p.plantId);
          running--;
          resolve();
        }),
      );
    },
  };
  return {
    committer,
    waiting,
    order,
    most: () => most,
    grant: (plant: string) => waiting.get(plant)!(),
  };
}

describe('the commit loop with every lock held elsewhere', () => {
  it('runs at most MAX_ASIDE plants skipped twice at once, the others in line, first come first served', async () => {
    const c = lockedElsewhere();
    const loop = new CommitLoop(c.committer);
    const plants = Array.from({ length: 10 }, (_, i) => `p${i}`);
    const done = plants.map((p) => loop.commit(p, [p], []));
    // Both groups skipped every plant; the ready batches' 20 ms bound has passed.
    await tick(60);
    expect(c.waiting.size).toBe(MAX_ASIDE);
    expect(c.most()).toBe(MAX_ASIDE);
    // Each lock granted frees a place for the oldest plant in line.
    while (c.waiting.size > 0) {
      c.grant([...c.waiting.keys()][0]!);
      await tick();
      expect(c.waiting.size).toBeLessThanOrEqual(MAX_ASIDE);
    }
    await Promise.all(done);
    expect(c.most()).toBe(MAX_ASIDE);
    expect(c.order).toEqual(plants);
  });

  it('a plant alone that waits long for its lock gives the loop back only while there is room aside', async () => {
    const c = lockedElsewhere();
    const loop = new CommitLoop(c.committer);
    const lone = Array.from({ length: 7 }, (_, i) => `a${i}`);
    let settled = 0;
    const done: Promise<void>[] = [];
    // One plant at a time, each alone: it takes the loop's turn and waits for its lock.
    for (const p of lone) {
      done.push(loop.commit(p, [p], []).then(() => void settled++));
      await tick(60);
    }
    // Four gave the loop's turn back after 20 ms and wait aside; the fifth keeps the loop's
    // turn (no room aside); the sixth, ready for 20 ms with no room aside, takes the loop's
    // second turn alone; the last waits, ready, for the loop instead of for a lock.
    expect(c.waiting.size).toBe(MAX_ASIDE + 2);
    expect([...c.waiting.keys()]).toEqual(lone.slice(0, MAX_ASIDE + 2));
    while (settled < lone.length) {
      if (c.waiting.size > 0) c.grant([...c.waiting.keys()][0]!);
      await tick(60);
    }
    await Promise.all(done);
    // Never more lock waits than the places aside and the loop's two turns.
    expect(c.most()).toBeLessThanOrEqual(MAX_ASIDE + 2);
    expect(c.order.sort()).toEqual(lone);
  });
});
