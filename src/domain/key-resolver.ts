import { LRUCache } from 'lru-cache';
import type { Db } from '../db/database.ts';
import type { Actor } from './actor.ts';
import { findActiveApiKeyByHash } from '../db/repos/api-keys.ts';
import { hashKey } from './api-keys.ts';
import type { ChangeFeed } from './schedule/change-feed.ts';

export interface KeyResolverOptions {
  /** The change feed that carries revocations; without one, every known key is checked in the database. */
  feed?: ChangeFeed | undefined;
  /** How long a valid key is trusted without a query while the feed is healthy. */
  knownTtlMs?: number;
  /** How long an unknown or revoked key is answered without a query. */
  unknownTtlMs?: number;
  /** Most keys remembered, of each kind: memory stays bounded whatever callers send. */
  maxEntries?: number;
  /** Monotonic milliseconds, for tests. */
  now?: () => number;
}

/**
 * Resolves a presented API key to its actor, keeping authentication off the database on the
 * hot path and garbage keys from costing a query each.
 *
 * - A valid key is cached for a few seconds, but only while the change feed is healthy: a
 *   revocation is announced on the feed at commit and drops the key here, so no request that
 *   arrives after the announcement is accepted. While the feed is down (or absent) valid keys
 *   are checked in the database on every request.
 * - An unknown key is cached regardless of the feed: keys are random secrets made by the
 *   service, so a key that was unknown cannot become valid later (a revoked one stays revoked).
 * Both caches are LRUs with a bound on entries, so a flood of distinct keys evicts old ones
 * instead of growing memory.
 *
 * While the feed is healthy, concurrent misses of one key share one query: when a trusted entry
 * expires under load, every request in flight used to query at once, and the pool opened a
 * connection (a PostgreSQL backend) for each. A request that arrives after a revocation (a new
 * epoch) never joins a query started before it.
 */
export class KeyResolver {
  private readonly known: LRUCache<string, Actor>;
  private readonly unknown: LRUCache<string, true>;
  private readonly feed: ChangeFeed | undefined;
  /** Bumped on every revocation and feed loss: a lookup that straddles one must not be cached. */
  private epoch = 0;
  /** Trusted lookups in flight, by key hash, with the epoch they started in. */
  private readonly inFlight = new Map<string, { epoch: number; lookup: Promise<Actor | null> }>();

  constructor(
    private readonly db: Db,
    opts: KeyResolverOptions = {},
  ) {
    const max = opts.maxEntries ?? 10_000;
    const perf = opts.now ? { now: opts.now } : undefined;
    this.known = new LRUCache({ max, ttl: opts.knownTtlMs ?? 5_000, ...(perf ? { perf } : {}) });
    this.unknown = new LRUCache({ max, ttl: opts.unknownTtlMs ?? 30_000, ...(perf ? { perf } : {}) });
    this.feed = opts.feed;
    this.feed?.watchKeys({ revoked: (keyId) => this.forget(keyId), lost: () => this.forgetAll() });
  }

  async resolve(key: string): Promise<Actor | null> {
    const hash = hashKey(key);
    if (this.unknown.get(hash)) return null;
    const trusted = this.feed?.isHealthy() ?? false;
    if (!trusted) return this.lookup(hash, false);
    const actor = this.known.get(hash);
    if (actor) return actor;
    const shared = this.inFlight.get(hash);
    if (shared && shared.epoch === this.epoch) return shared.lookup;
    const lookup = this.lookup(hash, true).finally(() => {
      if (this.inFlight.get(hash)?.lookup === lookup) this.inFlight.delete(hash);
    });
    this.inFlight.set(hash, { epoch: this.epoch, lookup });
    return lookup;
  }

  private async lookup(hash: string, trusted: boolean): Promise<Actor | null> {
    const epoch = this.epoch;
    const row = await findActiveApiKeyByHash(this.db, hash);
    if (!row) {
      this.unknown.set(hash, true);
      return null;
    }
    const actor: Actor = { keyId: row.id, name: row.name, role: row.role, principal: row.principal, plantIds: row.plant_ids };
    // A revocation announced while the query ran may have been read before its commit.
    if (trusted && this.feed?.isHealthy() && epoch === this.epoch) this.known.set(hash, actor);
    return actor;
  }

  /** Drops a key from the cache (its revocation was committed). */
  forget(keyId: string) {
    this.epoch += 1;
    for (const [hash, actor] of this.known.entries()) if (actor.keyId === keyId) this.known.delete(hash);
  }

  private forgetAll() {
    this.epoch += 1;
    this.known.clear();
  }

  /** Entries held, for tests of the memory bound. */
  get size() {
    return { known: this.known.size, unknown: this.unknown.size };
  }
}
