import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, hashKey, revokeApiKey } from '../../src/domain/api-keys.ts';
import { KeyResolver } from '../../src/domain/key-resolver.ts';
import { ChangeFeed } from '../../src/domain/schedule/change-feed.ts';
import { buildApp, type App } from '../../src/http/app.ts';
import { AuthFailures } from '../../src/http/auth-failures.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { openTestDb, realPostgresAvailable, type TestDb } from '../helpers/db.ts';
import { QueryCounter } from '../helpers/query-counter.ts';

describe('the key resolver', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => {
    await db?.close();
  });

  const aResolver = (feed: ChangeFeed, counter: QueryCounter, maxEntries?: number) =>
    new KeyResolver(db.db.withPlugin(counter), { feed, knownTtlMs: 600_000, ...(maxEntries ? { maxEntries } : {}) });

  it('hashes a presented key exactly as the stored hashes were made (hex SHA-256): keys issued before still authenticate', () => {
    const key = 'drb_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG_-';
    expect(hashKey(key)).toBe(createHash('sha256').update(key).digest('hex'));
    expect(hashKey('drb_x')).toBe('5fe93d0de5fe09de801f9e6954380e08b57dbdd1d8b1ce2830cb8d9395e9e0f3');
  });

  it('checks a valid key in the database on every request while the feed is unhealthy, and caches it while healthy', async () => {
    const { key } = await createApiKey(db.db, { name: 'k1', role: 'sales', plantIds: null });
    const feed = new ChangeFeed();
    const counter = new QueryCounter('api_keys');
    const keys = aResolver(feed, counter);
    for (let i = 0; i < 5; i++) expect(await keys.resolve(key)).not.toBeNull();
    expect(counter.count).toBe(5);
    feed.connected();
    for (let i = 0; i < 5; i++) expect(await keys.resolve(key)).not.toBeNull();
    expect(counter.count).toBe(6);
    // Losing the feed drops what was cached: a revocation may be missed while it is down.
    feed.lost();
    await keys.resolve(key);
    expect(counter.count).toBe(7);
  });

  it('drops a key when its revocation arrives on the feed', async () => {
    const created = await createApiKey(db.db, { name: 'k2', role: 'sales', plantIds: null });
    const feed = new ChangeFeed();
    feed.connected();
    const counter = new QueryCounter('api_keys');
    const keys = aResolver(feed, counter);
    expect(await keys.resolve(created.key)).not.toBeNull();
    await revokeApiKey(db.db, created.id, new Date());
    expect(await keys.resolve(created.key)).not.toBeNull(); // cached: the announcement has not been heard
    feed.receive(`key-revoked:${created.id}`);
    expect(await keys.resolve(created.key)).toBeNull();
  });

  it('shares one query among concurrent requests with the same key while the feed is healthy, and none while it is down', async () => {
    const { key } = await createApiKey(db.db, { name: 'k-herd', role: 'sales', plantIds: null });
    const feed = new ChangeFeed();
    const counter = new QueryCounter('api_keys');
    const keys = aResolver(feed, counter);
    // Feed down: every request must read the database itself (a revocation takes effect at once).
    const unshared = await Promise.all(Array.from({ length: 6 }, () => keys.resolve(key)));
    expect(unshared.every((a) => a?.name === 'k-herd')).toBe(true);
    expect(counter.count).toBe(6);
    feed.connected();
    const shared = await Promise.all(Array.from({ length: 10 }, () => keys.resolve(key)));
    expect(shared.every((a) => a?.name === 'k-herd')).toBe(true);
    expect(counter.count).toBe(7);
  });

  it('never lets a request that arrives after a revocation join a lookup started before it', async () => {
    const created = await createApiKey(db.db, { name: 'k-straddle', role: 'sales', plantIds: null });
    const feed = new ChangeFeed();
    feed.connected();
    const counter = new QueryCounter('api_keys');
    const keys = aResolver(feed, counter);
    // The first lookup is in flight when the revocation is heard: the second request must query anew.
    const before = keys.resolve(created.key);
    feed.receive(`key-revoked:${created.id}`);
    const after = keys.resolve(created.key);
    await Promise.all([before, after]);
    expect(counter.count).toBe(2);
    await revokeApiKey(db.db, created.id, new Date());
    feed.receive(`key-revoked:${created.id}`);
    expect(await keys.resolve(created.key)).toBeNull();
  });

  it('keeps memory bounded under many distinct garbage keys and many failing addresses', async () => {
    const feed = new ChangeFeed();
    const counter = new QueryCounter('api_keys');
    const keys = aResolver(feed, counter, 200);
    for (let i = 0; i < 1_000; i++) expect(await keys.resolve(`drb_garbage_${i}`)).toBeNull();
    expect(keys.size.unknown).toBe(200);
    const failures = new AuthFailures(10, 60_000, 500);
    for (let i = 0; i < 5_000; i++) failures.record(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    expect(failures.size).toBe(500);
  });
});

// The CLI revokes in its own process: the service hears it on the feed (PGlite and PostgreSQL).
describe('revocation from outside the service', () => {
  let t: TestApp;
  let app: App;
  beforeAll(async () => {
    t = await buildTestApp();
    app = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 100_000, listen: t.db.listen }, { keyCacheMs: 600_000 });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('refuses a key revoked by the CLI once the notification arrives, though the cache would trust it for ten minutes', async () => {
    const k = await createApiKey(t.db.db, { name: 'revoked by the CLI', role: 'sales', plantIds: null });
    const status = async () => (await app.inject({ url: '/v1/plants', headers: { authorization: `Bearer ${k.key}` } })).statusCode;
    expect(await status()).toBe(200);
    await revokeApiKey(t.db.db, k.id, new Date());
    let s = await status();
    for (let i = 0; i < 250 && s === 200; i++) {
      await new Promise((r) => setTimeout(r, 20));
      s = await status();
    }
    expect(s).toBe(401);
  });
});

// Two processes on one database: a key revoked through A is refused by B once the revocation's
// commit reaches B on the change feed, although B's cache would trust the key for ten minutes.
describe.skipIf(!realPostgresAvailable())('revocation across processes', () => {
  let a: TestApp;
  let b: App;
  let feedDown = false;
  const losers: Array<() => void> = [];
  const counter = new QueryCounter('api_keys');

  beforeAll(async () => {
    a = await buildTestApp({ kind: 'postgres' });
    const listen: typeof a.db.listen = async (channel, onPayload, onLost) => {
      if (feedDown) throw new Error('the test holds the feed down');
      losers.push(onLost);
      return a.db.listen(channel, onPayload, onLost);
    };
    b = await buildApp({ db: a.db.db.withPlugin(counter), clock: a.clock, maxOrderQuantity: 100_000, listen }, { keyCacheMs: 600_000 });
    await b.ready();
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const newKey = async (name: string) => createApiKey(a.db.db, { name, role: 'sales', plantIds: null });
  const statusOnB = async (key: string) => (await b.inject({ url: '/v1/plants', headers: { authorization: `Bearer ${key}` } })).statusCode;
  const revokeOnA = async (id: string) =>
    expect((await a.app.inject({ method: 'DELETE', url: `/v1/api-keys/${id}`, headers: a.as('admin') })).statusCode).toBe(204);

  it('refuses a key on B once A revoked it and the notification arrived', async () => {
    const k = await newKey('revoked across processes');
    expect(await statusOnB(k.key)).toBe(200);
    // B trusts its cache once its feed is healthy; the other test (tests run shuffled) may have
    // held the feed down, and it resubscribes with backoff: wait for that, bounded.
    let trusted = false;
    for (let i = 0; i < 500 && !trusted; i++) {
      const queries = counter.count;
      expect(await statusOnB(k.key)).toBe(200);
      trusted = counter.count === queries;
      if (!trusted) await new Promise((r) => setTimeout(r, 20));
    }
    expect(trusted).toBe(true);
    await revokeOnA(k.id);
    // A refuses at once; B as soon as the notification arrives (bounded wait, generous).
    expect((await a.app.inject({ url: '/v1/plants', headers: { authorization: `Bearer ${k.key}` } })).statusCode).toBe(401);
    let status = await statusOnB(k.key);
    for (let i = 0; i < 250 && status === 200; i++) {
      await new Promise((r) => setTimeout(r, 20));
      status = await statusOnB(k.key);
    }
    expect(status).toBe(401);
  });

  it('checks every key in the database while its feed is unhealthy, so a revocation takes effect at once', async () => {
    const k = await newKey('checked while the feed is down');
    expect(await statusOnB(k.key)).toBe(200);
    feedDown = true;
    losers.at(-1)!();
    const before = counter.count;
    for (let i = 0; i < 5; i++) expect(await statusOnB(k.key)).toBe(200);
    expect(counter.count - before).toBe(5);
    await revokeOnA(k.id);
    expect(await statusOnB(k.key)).toBe(401);
    feedDown = false; // let the feed resubscribe for whatever runs next
  });
});
