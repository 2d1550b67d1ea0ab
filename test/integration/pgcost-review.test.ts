import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { grantServiceRole } from '../../src/db/service-role.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { databaseKinds } from '../helpers/planning.ts';

// Review of branch pgcost (migration 0024). The gate's promise (README "Trust boundary"): an
// order or its operations change only in a transaction that bumped the plant's schedule version
// and appended that version's event, even for raw SQL of the service's own role (an attacker
// with the service's database credentials). Each attack below is raw SQL on a fresh session, on
// PostgreSQL as a role that owns nothing (grantServiceRole), on PGlite as the one user there.

const GATE = 'P0A01';

describe.each(databaseKinds())('gate attacks on %s (review of pgcost)', (kind) => {
  const role = `drumbeat_rev_${randomBytes(4).toString('hex')}`;
  let t: TestApp;
  let orderId: string;
  let serviceUrl: string | undefined;

  beforeAll(async () => {
    t = await buildTestApp({ kind });
    await seedPlant(t);
    if (kind === 'postgres') {
      await sql`CREATE ROLE ${sql.id(role)} LOGIN`.execute(t.db.db);
      await grantServiceRole(t.db.db, role);
      const url = new URL(t.db.url!);
      url.username = role;
      url.password = '';
      serviceUrl = url.toString();
    }
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/plants/plant-1/orders',
      headers: t.as('sales'),
      payload: { sku: 'P1', quantity: 2, promiseDate: '2026-12-10', customer: 'ACME' },
    });
    expect(res.statusCode).toBe(201);
    orderId = res.json().id;
  });
  afterAll(async () => {
    await t?.close();
    if (kind === 'postgres') {
      const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
      await admin.connect();
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    }
  });

  /** Runs the statements in one transaction of a new session; the SQLSTATE it failed with, or 'committed'. */
  async function attack(statements: string[]): Promise<string> {
    if (kind === 'pglite') {
      try {
        await t.db.db.transaction().execute(async (tx) => {
          for (const s of statements) await sql.raw(s).execute(tx);
        });
        return 'committed';
      } catch (e) {
        return (e as { code?: string }).code ?? String(e);
      }
    }
    const c = new pg.Client({ connectionString: serviceUrl });
    await c.connect();
    try {
      await c.query('BEGIN');
      for (const s of statements) await c.query(s);
      await c.query('COMMIT');
      return 'committed';
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      return (e as { code?: string }).code ?? String(e);
    } finally {
      await c.end();
    }
  }

  async function snapshot() {
    const order = await t.db.db.selectFrom('orders').select('promise_date').where('id', '=', orderId).executeTakeFirstOrThrow();
    const plant = await t.db.db
      .selectFrom('plants')
      .select(['schedule_version', 'event_seq'])
      .where('id', '=', 'plant-1')
      .executeTakeFirstOrThrow();
    return { promise: order.promise_date, version: Number(plant.schedule_version), eventSeq: Number(plant.event_seq) };
  }

  // 0024's trigger refuses a version_txid change only within the UPDATE that makes it; the gate
  // functions (0004 drumbeat_check_reschedule, 0009 drumbeat_check_operations_reschedule) accept
  // "version_txid is mine" plus "the plant's current version has its event". Bump the version
  // (claiming version_txid), then set it back in a second UPDATE (version_txid unchanged, so
  // 0024's trigger does not fire; the deferred 0007 check finds the old version's event, still
  // the last): before 0026 the order's promise moved with no new version and no event, unseen by
  // the processes' caches (the version did not move) and the audit log. 0026 refuses any fall of
  // the plant's schedule version or event sequence, so the second UPDATE fails.
  it('refuses an order change in a transaction that bumps the version and sets it back', async () => {
    const before = await snapshot();
    const outcome = await attack([
      `UPDATE plants SET schedule_version = schedule_version + 1, version_txid = txid_current() WHERE id = 'plant-1'`,
      `UPDATE plants SET schedule_version = schedule_version - 1 WHERE id = 'plant-1'`,
      `UPDATE orders SET promise_date = '2026-12-30' WHERE id = '${orderId}'`,
    ]);
    const after = await snapshot();
    expect({ outcome, ...after }).toEqual({ outcome: GATE, ...before });
  });

  // Older than pgcost: every gate function (0002/0004 drumbeat_check_reschedule, 0007, 0009) is
  // SECURITY INVOKER and reads `plants` unqualified. pg_temp is searched first for relations, and
  // PUBLIC may create temporary tables by default, so before 0026 the service role shadowed
  // `plants` with a temp copy whose version_txid was its own: an order change committed with no
  // version bump and no event. 0026 pins every drumbeat_ function's search_path to the schema's,
  // pg_temp last, so the gate reads the real plants and refuses.
  it('refuses an order change when a temporary table shadows plants in the gate lookup', async () => {
    const before = await snapshot();
    const outcome = await attack([
      `CREATE TEMP TABLE plants ON COMMIT DROP AS SELECT * FROM public.plants`,
      `UPDATE pg_temp.plants SET version_txid = txid_current()`,
      `UPDATE orders SET promise_date = '2026-12-29' WHERE id = '${orderId}'`,
    ]);
    const after = await snapshot();
    expect({ outcome, ...after }).toEqual({ outcome: GATE, ...before });
  });
});
