import { CHANGES_CHANNEL } from '../../db/repos/plant-versions.ts';

/**
 * Messages on the channel: a bare plant id (a plant's schedule or configuration changed), or
 * this prefix and an API key id (the key was revoked). Plant ids are slugs (lowercase letters,
 * digits, dashes), so the colon keeps the two kinds apart.
 */
const KEY_REVOKED = 'key-revoked:';

/**
 * The message that tells every process an API key was revoked, so none keeps accepting it from
 * a cache; the revoking statement sends it (db/repos/api-keys.ts).
 */
export const keyRevokedMessage = (keyId: string) => KEY_REVOKED + keyId;

/** What the key resolver hears from the feed. */
export interface KeyFeedListener {
  /** A key's revocation was committed. */
  revoked(keyId: string): void;
  /** Notifications may have been missed: nothing cached can be trusted. */
  lost(): void;
}

/**
 * Keeps reads off the database: while the LISTEN connection is healthy and no change was
 * announced for a plant since this process last read its versions, the cached engine state
 * is current, so a quote needs no query at all. A quote may thus lag a commit in another
 * process by the notification's delivery time; holds and orders always lock and re-read, so
 * this never lets the drum be over-committed.
 */
export class ChangeFeed {
  private announced = new Map<string, number>();
  private synced = new Map<string, number>();
  private healthy = false;
  private keyListeners: KeyFeedListener[] = [];
  private plantListeners = new Set<(plantId: string) => void>();

  connected() {
    this.healthy = true;
  }

  lost() {
    this.healthy = false;
    this.synced.clear();
    for (const l of this.keyListeners) l.lost();
  }

  /** True while the LISTEN connection is up: every committed change is being heard. */
  isHealthy(): boolean {
    return this.healthy;
  }

  watchKeys(listener: KeyFeedListener) {
    this.keyListeners.push(listener);
  }

  /**
   * Calls `listener` with the plant id of every change announced from now on (commits of this
   * process and, through the channel, of every other), until the returned function is called:
   * what pushes live event streams.
   */
  watchPlants(listener: (plantId: string) => void): () => void {
    this.plantListeners.add(listener);
    return () => this.plantListeners.delete(listener);
  }

  /** One message from the channel. */
  receive(payload: string) {
    if (payload.startsWith(KEY_REVOKED)) {
      const keyId = payload.slice(KEY_REVOKED.length);
      for (const l of this.keyListeners) l.revoked(keyId);
    } else this.onAnnounce(payload);
  }

  onAnnounce(plantId: string) {
    this.announced.set(plantId, (this.announced.get(plantId) ?? 0) + 1);
    for (const l of this.plantListeners) l(plantId);
  }

  /** Take before reading versions; pass to markSynced after, so an announcement in between is not lost. */
  token(plantId: string): number {
    return this.announced.get(plantId) ?? 0;
  }

  markSynced(plantId: string, token: number) {
    if (this.healthy) this.synced.set(plantId, token);
  }

  isFresh(plantId: string): boolean {
    return this.healthy && this.synced.get(plantId) === (this.announced.get(plantId) ?? 0);
  }
}

type Listen = (channel: string, onPayload: (payload: string) => void, onLost: () => void) => Promise<() => Promise<void>>;

/**
 * Keeps the feed subscribed: when the LISTEN connection is lost, reads fall back to checking
 * versions in the database (the feed is unhealthy) and the subscription is retried with a
 * capped backoff until it is back. Returns the stop function.
 */
export async function followChanges(listen: Listen, feed: ChangeFeed, warn: (msg: string) => void, retryMs = 1_000) {
  let stopped = false;
  let unlisten: (() => Promise<void>) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const subscribe = async (attempt: number): Promise<void> => {
    if (stopped) return;
    try {
      let lost = false;
      unlisten = await listen(
        CHANGES_CHANNEL,
        (payload) => feed.receive(payload),
        () => {
          if (lost || stopped) return;
          lost = true;
          feed.lost();
          warn('change notifications lost: reads check schedule versions in the database until they are back');
          void unlisten?.();
          schedule(0);
        },
      );
      feed.connected();
    } catch {
      schedule(attempt + 1);
    }
  };
  const schedule = (attempt: number) => {
    timer = setTimeout(() => void subscribe(attempt), Math.min(30_000, retryMs * 2 ** attempt));
    timer.unref();
  };
  await subscribe(0);
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await unlisten?.();
  };
}
