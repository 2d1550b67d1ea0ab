import { describe, expect, it, vi } from 'vitest';
import { ChangeFeed, followChanges } from '../../src/domain/schedule/change-feed.ts';

describe('the change feed', () => {
  it('is fresh for a plant only while connected and nothing was announced since its last sync', () => {
    const feed = new ChangeFeed();
    expect(feed.isFresh('p')).toBe(false);
    feed.connected();
    const token = feed.token('p');
    feed.markSynced('p', token);
    expect(feed.isFresh('p')).toBe(true);
    feed.onAnnounce('p');
    expect(feed.isFresh('p')).toBe(false);
    // An announcement between reading versions and marking the sync must not be lost.
    const stale = feed.token('p');
    feed.onAnnounce('p');
    feed.markSynced('p', stale);
    expect(feed.isFresh('p')).toBe(false);
    feed.markSynced('p', feed.token('p'));
    feed.lost();
    expect(feed.isFresh('p')).toBe(false);
  });

  it('resubscribes after losing its connection, and until then reads are not trusted to the cache', async () => {
    const feed = new ChangeFeed();
    const losers: Array<() => void> = [];
    let subscriptions = 0;
    let failNext = false;
    const listen = async (_channel: string, _onPayload: (p: string) => void, onLost: () => void) => {
      if (failNext) {
        failNext = false;
        throw new Error('server down');
      }
      subscriptions += 1;
      losers.push(onLost);
      return async () => {};
    };
    const warnings: string[] = [];
    const stop = await followChanges(listen, feed, (m) => warnings.push(m), 5);
    feed.markSynced('p', feed.token('p'));
    expect(feed.isFresh('p')).toBe(true);

    failNext = true;
    losers[0]!();
    expect(feed.isFresh('p')).toBe(false);
    expect(warnings).toHaveLength(1);
    // The retry is scheduled 5 ms out; wait for it by polling, not by a fixed sleep that a
    // busy machine may outrun.
    await vi.waitFor(() => expect(subscriptions).toBe(2), { timeout: 10_000, interval: 5 });
    feed.markSynced('p', feed.token('p'));
    expect(feed.isFresh('p')).toBe(true);
    await stop();
  });
});
