import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openPostgres, type DbHandle } from '../../src/db/connect.ts';
import { grantServiceRole } from '../../src/db/service-role.ts';
import { buildApp, type App } from '../../src/http/app.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { realPostgresAvailable } from '../helpers/db.ts';
import { seedPlant } from '../helpers/builders.ts';
import { startServiceProcess } from '../helpers/service-process.ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { withDatabase } from '../global-setup.ts';

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
}

const INSUFFICIENT_PRIVILEGE = '42501';
const GATE = 'P0A01';

// On PostgreSQL the service runs as a role that owns nothing: the owner migrates and grants.
// Role names are cluster-wide, so this one is unique to the run and dropped at the end.
describe.skipIf(!realPostgresAvailable())('the service as a role that owns nothing', () => {
  const role = `drumbeat_svc_${randomBytes(4).toString('hex')}`;
  let t: TestApp;
  let service: DbHandle;
  let app: App;
  let orderId: string;
  let targetId: string;

  beforeAll(async () => {
    t = await buildTestApp({ kind: 'postgres' });
    await seedPlant(t);
    await sql`CREATE ROLE ${sql.id(role)} LOGIN`.execute(t.db.db);
    await grantServiceRole(t.db.db, role);
    const url = new URL(t.db.url!);
    url.username = role;
    url.password = '';
    service = openPostgres(url.toString(), 2);
    app = await buildApp({ db: service.db, clock: t.clock, maxOrderQuantity: 1000 });
    await app.ready();
    // An order of its own for the raw-SQL checks, whatever order the tests run in.
    const placed = await t.app.inject({
      method: 'POST',
      url: '/v1/plants/plant-1/orders',
      headers: t.as('planner'),
      payload: { sku: 'P1', quantity: 1, promiseDate: '2026-12-18', customer: 'Raw SQL target' },
    });
    expect(placed.statusCode).toBe(201);
    targetId = placed.json().id;
  });

  afterAll(async () => {
    await app?.close();
    await service?.close();
    await t?.close(); // drops the database and with it every grant to the role
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
  });

  it('serves quotes, holds, orders and cancellations', async () => {
    const sales = t.as('sales');
    const quote = await app.inject({
      method: 'POST',
      url: '/v1/plants/plant-1/quotes',
      headers: sales,
      payload: { sku: 'P1', quantity: 2 },
    });
    expect(quote.statusCode).toBe(200);
    const hold = await app.inject({
      method: 'POST',
      url: '/v1/plants/plant-1/holds',
      headers: { ...sales, 'idempotency-key': 'trust-1' },
      payload: { sku: 'P1', quantity: 2, customer: 'ACME' },
    });
    expect(hold.statusCode).toBe(201);
    const confirmed = await app.inject({
      method: 'POST',
      url: `/v1/plants/plant-1/holds/${hold.json().id}/confirm`,
      headers: sales,
      payload: {},
    });
    expect(confirmed.statusCode).toBe(201);
    orderId = confirmed.json().id;
    const cancelled = await app.inject({ method: 'POST', url: `/v1/plants/plant-1/orders/${orderId}/cancel`, headers: sales, payload: {} });
    expect(cancelled.statusCode).toBe(200);
  });

  it('cannot delete, truncate, disable the gate or drop tables', async () => {
    const db = service.db;
    expect(await codeOf(sql`DELETE FROM orders WHERE id = ${targetId}`.execute(db))).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await codeOf(sql`DELETE FROM schedule_events`.execute(db))).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await codeOf(sql`TRUNCATE orders CASCADE`.execute(db))).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await codeOf(sql`ALTER TABLE orders DISABLE TRIGGER ALL`.execute(db))).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await codeOf(sql`DROP TRIGGER orders_reschedule_gate_update ON orders`.execute(db))).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await codeOf(sql`DROP TABLE schedule_events`.execute(db))).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await codeOf(sql`SET session_replication_role = replica`.execute(db))).toBe(INSUFFICIENT_PRIVILEGE);
  });

  it('still meets the gate on what it may write', async () => {
    const db = service.db;
    expect(await codeOf(sql`UPDATE orders SET promise_date = '2027-06-30' WHERE id = ${targetId}`.execute(db))).toBe(GATE);
    expect(await codeOf(sql`UPDATE schedule_events SET data = '{}'`.execute(db))).toBe(GATE);
  });

  it("writes with no EXECUTE of PUBLIC's: the owner may revoke it, the role's own grant stays", async () => {
    await sql`REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC`.execute(t.db.db);
    try {
      await grantServiceRole(t.db.db, role); // as after each migration
      const placed = await app.inject({
        method: 'POST',
        url: '/v1/plants/plant-1/orders',
        headers: t.as('sales'),
        payload: { sku: 'P1', quantity: 1, promiseDate: '2026-12-20', customer: 'No PUBLIC execute' },
      });
      expect(placed.statusCode, placed.body).toBe(201);
    } finally {
      await sql`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO PUBLIC`.execute(t.db.db);
    }
  });
});

// The deploy as the README describes it: an empty database, the owner's URL for migrations and
// the service's own role for everything else; the CLI and the service migrate and grant.
describe.skipIf(!realPostgresAvailable())('deploying with MIGRATION_DATABASE_URL', () => {
  const suffix = randomBytes(4).toString('hex');
  const role = `drumbeat_svc_${suffix}`;
  const database = `drumbeat_deploy_${suffix}`;
  let admin: pg.Client;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.query(`CREATE ROLE ${role} LOGIN`);
  });
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
  });

  it('migrates as the owner, then serves as a role that owns nothing', async () => {
    const ownerUrl = withDatabase(inject('pgAdminUrl'), database);
    const serviceUrl = new URL(ownerUrl);
    serviceUrl.username = role;
    serviceUrl.password = '';
    const env = { DATABASE_URL: serviceUrl.toString(), MIGRATION_DATABASE_URL: ownerUrl };
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/keys.ts', 'create', '--role', 'admin'], {
      env: { ...process.env, ...env },
    });
    const key = /^(drb_\S+)$/m.exec(stdout)?.[1];
    expect(key).toBeDefined();
    const svc = await startServiceProcess(env);
    try {
      const res = await fetch(`${svc.url}/v1/plants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'deployed', name: 'Deployed', timeZone: 'UTC' }),
      });
      expect(res.status).toBe(201);
    } finally {
      await svc.stop();
    }
    const deployed = new pg.Client({ connectionString: ownerUrl });
    await deployed.connect();
    const owners = await deployed.query<{ tableowner: string }>(`SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'`);
    await deployed.end();
    expect(owners.rows.length).toBeGreaterThan(0);
    expect(owners.rows.map((r) => r.tableowner)).not.toContain(role);
  });
});
