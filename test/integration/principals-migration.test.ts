import { createHash, randomUUID } from 'node:crypto';
import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.ts';
import { type DbHandle } from '../../src/db/connect.ts';
import type { Db } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { hashKey } from '../../src/domain/api-keys.ts';
import { fixedClock } from '../../src/domain/clock.ts';
import { buildApp, newScheduleWriter, type App } from '../../src/http/app.ts';
import { realPostgresAvailable, openEmptyDb } from '../helpers/db.ts';

const SECRET = 'drb_legacy-sales-key-secret';
const ORDER_BODY = { customer: 'Legacy AG', promiseDate: '2026-12-18', quantity: 1, sku: 'P1' };

/** Rows as 0010 knew them: a sales key, its order and its stored Idempotency-Key answer. */
async function seedBeforePrincipals(db: Db, orderId: string) {
  await sql`INSERT INTO plants (id, name, time_zone) VALUES ('legacy', 'Legacy', 'Europe/Berlin')`.execute(db);
  await sql`INSERT INTO buffer_policies (plant_id, production_buffer_days, shipping_buffer_days, standard_lead_time_days, hold_ttl_seconds)
            VALUES ('legacy', 4, 2, 2, 172800)`.execute(db);
  await sql`INSERT INTO products (plant_id, sku, name) VALUES ('legacy', 'P1', 'P1')`.execute(db);
  await sql`INSERT INTO api_keys (id, name, role, plant_ids, key_hash) VALUES ('key_legacy', 'Old sales key', 'sales', NULL, ${hashKey(SECRET)})`.execute(
    db,
  );
  await db.transaction().execute(async (tx) => {
    await sql`UPDATE plants SET schedule_version = 1, event_seq = 1, version_txid = txid_current() WHERE id = 'legacy'`.execute(tx);
    await sql`INSERT INTO schedule_events (plant_id, seq, schedule_version, type, actor, at, data)
              VALUES ('legacy', 1, 1, 'order.created', 'sales:Old sales key (key_legacy)', now(), '{}')`.execute(tx);
    await sql`INSERT INTO orders (plant_id, id, status, sku, quantity, customer, promise_date, drum_deadline, drum_load_minutes,
                production_buffer_days, shipping_buffer_days, seq, changed_version, created_by, created_by_key, created_at, updated_at)
              VALUES ('legacy', ${orderId}, 'confirmed', 'P1', 1, 'Legacy AG', '2026-12-18', '2026-12-16T13:00:00Z', 40,
                4, 2, 1, 1, 'sales:Old sales key (key_legacy)', 'key_legacy', now(), now())`.execute(tx);
  });
  const hash = createHash('sha256')
    .update(`POST /v1/plants/legacy/orders ${JSON.stringify(ORDER_BODY)}`)
    .digest('hex');
  // The order view as 0010 answered it: no customerId, no owner. A replay returns it as stored.
  const answer = JSON.stringify({
    id: orderId,
    status: 'confirmed',
    sku: 'P1',
    quantity: 1,
    customer: 'Legacy AG',
    externalId: null,
    materialAvailableAt: null,
    requestedDate: '2026-12-18',
    promiseDate: '2026-12-18',
    drumDeadline: '2026-12-16T13:00:00.000Z',
    drumLoadMinutes: 40,
    drumDoneMinutes: 0,
    expiresAt: null,
    releasedAt: null,
    completedAt: null,
    shippedAt: null,
    promiseKept: null,
    createdAt: '2026-11-20T08:00:00.000Z',
    updatedAt: '2026-11-20T08:00:00.000Z',
    scheduleVersion: 1,
  });
  await sql`INSERT INTO idempotency_keys (api_key_id, key, method, path, request_hash, status_code, response)
            VALUES ('key_legacy', 'legacy-retry', 'POST', '/v1/plants/legacy/orders', ${hash}, 201, ${answer}::jsonb)`.execute(db);
}

describe.each([
  ['PGlite', 'pglite' as const],
  ['PostgreSQL', 'postgres' as const],
])('migration 0011 (principals) on %s', (_name, kind) => {
  const skip = kind === 'postgres' && !realPostgresAvailable();
  let h: DbHandle;
  let app: App;
  const orderId = randomUUID();
  const legacy = { authorization: `Bearer ${SECRET}` };

  beforeAll(async () => {
    if (skip) return;
    h = await openEmptyDb(kind);
    const to10 = await new Migrator({ db: h.db, provider: { getMigrations: async () => migrations } }).migrateTo('0010_product_lead_time');
    expect(to10.error).toBeUndefined();
    await seedBeforePrincipals(h.db, orderId);
    await migrateToLatest(h.db);
    await sql`INSERT INTO api_keys (id, name, role, principal, plant_ids, key_hash) VALUES ('key_admin', 'admin', 'admin', 'ops', NULL, ${hashKey('drb_admin')})`.execute(
      h.db,
    );
    const clock = fixedClock('2026-11-23T08:00:00Z');
    app = await buildApp({
      db: h.db,
      clock,
      maxOrderQuantity: 1000,
      listen: h.listen,
      writer: newScheduleWriter({ db: h.db, clock, listen: h.listen }),
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  it.skipIf(skip)(
    'backfills every key, order and idempotency record with a principal derived from its key, and the TTL maximum',
    async () => {
      const key = await h.db.selectFrom('api_keys').select('principal').where('id', '=', 'key_legacy').executeTakeFirstOrThrow();
      expect(key.principal).toBe('key_legacy');
      const order = await h.db
        .selectFrom('orders')
        .select(['owner_principal', 'customer_id'])
        .where('id', '=', orderId)
        .executeTakeFirstOrThrow();
      expect(order).toEqual({ owner_principal: 'key_legacy', customer_id: null });
      const idem = await h.db.selectFrom('idempotency_keys').select('principal').executeTakeFirstOrThrow();
      expect(idem.principal).toBe('key_legacy');
      const policy = await h.db
        .selectFrom('buffer_policies')
        .select(['hold_max_ttl_seconds', 'hold_cap_drum_minutes'])
        .where('plant_id', '=', 'legacy')
        .executeTakeFirstOrThrow();
      // A plant whose default TTL was already above a day keeps it as its maximum: nothing it did before is refused.
      expect(policy).toEqual({ hold_max_ttl_seconds: 172800, hold_cap_drum_minutes: null });
    },
  );

  it.skipIf(skip)('lets owner and customer number change only in a reschedule (the order gate)', async () => {
    for (const set of [sql`owner_principal = 'someone'`, sql`customer_id = 'C-1'`]) {
      const code = await sql`UPDATE orders SET ${set} WHERE id = ${orderId}`.execute(h.db).then(
        () => undefined,
        (e: { code?: string }) => e.code,
      );
      expect(code).toBe('P0A01');
    }
  });

  it.skipIf(skip)('keeps the old key working on its order and its stored answer, and across a rotation to a new key', async () => {
    expect((await app.inject({ method: 'GET', url: `/v1/plants/legacy/orders/${orderId}`, headers: legacy })).json().owner).toBe(
      'key_legacy',
    );
    const replay = async (headers: { authorization: string }) =>
      app.inject({
        method: 'POST',
        url: '/v1/plants/legacy/orders',
        headers: { ...headers, 'idempotency-key': 'legacy-retry' },
        payload: ORDER_BODY,
      });
    const first = await replay(legacy);
    expect(first.headers['idempotent-replayed']).toBe('true');
    expect(first.json().id).toBe(orderId);

    const admin = { authorization: 'Bearer drb_admin' };
    const keys = (await app.inject({ method: 'GET', url: '/v1/api-keys', headers: admin })).json().items as {
      id: string;
      principal: string;
    }[];
    expect(keys.find((k) => k.id === 'key_legacy')?.principal).toBe('key_legacy');
    const rotated = await app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: admin,
      payload: { name: 'New sales key', role: 'sales', principal: 'key_legacy' },
    });
    expect(rotated.statusCode).toBe(201);
    expect((await app.inject({ method: 'DELETE', url: '/v1/api-keys/key_legacy', headers: admin })).statusCode).toBe(204);
    const fresh = { authorization: `Bearer ${rotated.json().key}` };
    expect((await app.inject({ method: 'GET', url: `/v1/plants/legacy/orders/${orderId}`, headers: fresh })).statusCode).toBe(200);
    const again = await replay(fresh);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(orderId);
    expect(await h.db.selectFrom('orders').select('id').execute()).toHaveLength(1);
  });
});
