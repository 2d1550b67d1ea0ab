import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openPostgres, type DbHandle } from '../../src/db/connect.ts';
import { grantServiceRole } from '../../src/db/service-role.ts';
import { buildApp, type App } from '../../src/http/app.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { realPostgresAvailable } from '../helpers/db.ts';
import { startReceiver } from '../helpers/webhook-receiver.ts';

// Webhooks under the trust boundary: the service's role (owning nothing) claims, delivers,
// logs, prunes the log and deletes subscriptions (their log with them) with the grants
// migrations give it.
describe.skipIf(!realPostgresAvailable())('webhooks as the service role that owns nothing', () => {
  const role = `drumbeat_wh_${randomBytes(4).toString('hex')}`;
  let t: TestApp;
  let service: DbHandle;
  let app: App;

  beforeAll(async () => {
    t = await buildTestApp({ kind: 'postgres' });
    await seedPlant(t, 'role');
    await sql`CREATE ROLE ${sql.id(role)} LOGIN`.execute(t.db.db);
    await grantServiceRole(t.db.db, role);
    const url = new URL(t.db.url!);
    url.username = role;
    url.password = '';
    service = openPostgres(url.toString(), 2);
    app = await buildApp(
      { db: service.db, clock: t.clock, maxOrderQuantity: 1000 },
      { webhooks: { secretKey: randomBytes(32), allowHosts: ['127.0.0.1'] } },
    );
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await service?.close();
    await t?.close();
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
  });

  it('subscribes, delivers, logs and deletes with its grants only', async () => {
    const rx = await startReceiver();
    try {
      const created = await app.inject({
        method: 'POST',
        url: '/v1/plants/role/webhooks',
        headers: t.as('erp'),
        payload: { url: rx.url, eventTypes: ['hold.created'] },
      });
      expect(created.statusCode, created.body).toBe(201);
      const hold = await app.inject({
        method: 'POST',
        url: '/v1/plants/role/holds',
        headers: t.as('sales'),
        payload: { sku: 'P1', quantity: 1 },
      });
      expect(hold.statusCode).toBe(201);
      expect(await app.webhookDeliverer.runOnce()).toBe(1);
      expect(rx.received).toHaveLength(1);
      const id = created.json().id as string;
      const log = await app.inject({ method: 'GET', url: `/v1/plants/role/webhooks/${id}/deliveries`, headers: t.as('erp') });
      expect(log.json().items).toHaveLength(1);

      // Retention: the role may prune the log (nothing is old enough yet), not the event log it came from.
      expect(await app.webhookDeliverer.pruneLog()).toBe(0);
      expect(
        await sql`DELETE FROM schedule_events`.execute(service.db).then(
          () => 'deleted',
          (e: { code?: string }) => e.code,
        ),
      ).toBe('42501');
      expect((await app.inject({ method: 'DELETE', url: `/v1/plants/role/webhooks/${id}`, headers: t.as('admin') })).statusCode).toBe(204);
      const left = await sql<{ n: number }>`SELECT count(*)::int AS n FROM webhook_deliveries WHERE subscription_id = ${id}`.execute(
        t.db.db,
      );
      expect(left.rows[0]!.n).toBe(0);
    } finally {
      await rx.close();
    }
  });
});
