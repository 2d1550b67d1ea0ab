import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { buildTestApp } from '../helpers/app.ts';
import { databaseKinds } from '../helpers/planning.ts';
import { inOneBatch, seedBatchPlant } from '../helpers/write-batch.ts';

// Review of migration 0029's record-array rows (a batch's new orders and operations as
// orders[] / order_operations[] literals written into the statement's text).

const NASTY = [
  'NULL',
  'null',
  ' ',
  '\t',
  '\n',
  ' lead',
  'trail ',
  '"',
  '""',
  '\\',
  '\\\\',
  '\\"',
  '"\\',
  "'",
  "O'Brien",
  "'); DROP TABLE orders; --",
  '"),("x',
  '\\"),(\\"x',
  '{}',
  '{"a":1}',
  '{,}',
  '(,)',
  ')',
  '(',
  ',',
  'a,b',
  'a b',
  'é',
  'e\u0301',
  '😀',
  '\u00a0',
  '\u2028',
  '\u000b',
  '\r\n',
  '\\N',
  'x'.repeat(200),
  '\\'.repeat(200),
  '"'.repeat(200),
  "'".repeat(200),
  '$$',
  '$1',
  "E'\\'",
  '\u0001\u001f\u007f',
];

describe.each(databaseKinds())('record-array rows under attack on %s', (kind) => {
  let t: TestApp;
  let plants = 0;
  beforeAll(async () => {
    t = await buildTestApp({ kind, now: '2026-11-23T08:00:00Z' });
  }, 60_000);
  afterAll(async () => t?.close());

  const newPlant = () => seedBatchPlant(t, `rr-${++plants}`);
  const call = (plant: string, method: any, path: string, role: any, payload?: object) =>
    t.app.inject({ method, url: `/v1/plants/${plant}/${path}`, headers: t.as(role), ...(payload ? { payload } : {}) });

  it('stores every nasty customer, customer id and external id as sent (one batch, warm and cold reads agree)', async () => {
    const plant = await newPlant();
    const answers = await inOneBatch(
      t,
      plant,
      NASTY.map(
        (s, i) => () =>
          call(plant, 'POST', 'orders', 'sales', {
            sku: 'P1',
            quantity: 1,
            promiseDate: '2026-12-20',
            customer: s,
            customerId: s.slice(0, 100),
            ...(/^\.+$/.test(s) ? {} : { externalId: `${s.slice(0, 190)}#${i}` }),
          }),
      ),
    );
    const statuses = answers.map((a) => a.statusCode);
    expect(statuses).toEqual(NASTY.map(() => 201));
    const fresh = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 100_000 });
    try {
      for (const [i, a] of answers.entries()) {
        const posted = a.json();
        expect(posted.customer).toBe(NASTY[i]);
        expect(posted.customerId).toBe(NASTY[i]!.slice(0, 100));
        expect(posted.externalId).toBe(`${NASTY[i]!.slice(0, 190)}#${i}`);
        const warm = await call(plant, 'GET', `orders/${posted.id}`, 'planner');
        const cold = await fresh.inject({ url: `/v1/plants/${plant}/orders/${posted.id}`, headers: t.as('planner') });
        const w = warm.json();
        const c = cold.json();
        delete w.requestId;
        delete c.requestId;
        delete posted.requestId;
        expect(c).toEqual(w);
        expect({ ...w, scheduleVersion: 0 }).toEqual({ ...posted, scheduleVersion: 0 });
      }
      const { rows } = await sql<{ customer: string; customer_id: string; external_id: string }>`
        SELECT customer, customer_id, external_id FROM orders WHERE plant_id = ${plant} ORDER BY seq`.execute(t.db.db);
      expect(rows.map((r) => r.customer).sort()).toEqual([...NASTY].sort());
    } finally {
      await fresh.close();
    }
  });
});

describe.each(databaseKinds())('record-array rows across an upgrade on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ kind, now: '2026-11-23T08:00:00Z' });
  }, 60_000);
  afterAll(async () => t?.close());

  const call = (plant: string, method: any, path: string, role: any, payload?: object) =>
    t.app.inject({ method, url: `/v1/plants/${plant}/${path}`, headers: t.as(role), ...(payload ? { payload } : {}) });

  // Migration 0029 keeps 0024's json function "for processes of the previous release that
  // still run during an upgrade". The same must hold one release later: the next migration
  // that adds a (nullable) column to orders or order_operations runs while this release's
  // processes still serve. A record literal must have exactly its type's fields, so the rows
  // travel as 0029's own frozen types (drumbeat_order_row_v1, drumbeat_operation_row_v1), not
  // the tables' row types: with those, every batch with a new order failed ("malformed record
  // literal: Too few columns"), and so did each rerun: 500 for every new order until the last
  // old process was gone.
  it.each(['orders', 'order_operations'])(
    'a new order still commits once a later migration adds a nullable column to %s (rolling upgrade)',
    async (table) => {
      const plant = await seedBatchPlant(t, `up-${table.replace('_', '-')}`);
      expect(
        (await call(plant, 'POST', 'orders', 'sales', { sku: 'P1', quantity: 1, promiseDate: '2026-12-20', customer: 'before' }))
          .statusCode,
      ).toBe(201);
      await sql`ALTER TABLE ${sql.id(table)} ADD COLUMN next_release_note text`.execute(t.db.db);
      try {
        const r = await call(plant, 'POST', 'orders', 'sales', {
          sku: 'P1',
          quantity: 1,
          promiseDate: '2026-12-21',
          customer: 'during upgrade',
        });
        expect(r.statusCode).toBe(201);
      } finally {
        await sql`ALTER TABLE ${sql.id(table)} DROP COLUMN next_release_note`.execute(t.db.db);
      }
    },
  );
});

describe.each(databaseKinds())("orders past the engine's years on %s", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ kind, now: '2026-11-23T08:00:00Z' });
  }, 60_000);
  afterAll(async () => t?.close());

  // Not from 0029 (the engine, before any row is written): go-live takes past promise dates
  // ("they are facts") and far ones with only the YYYY-MM-DD check, and the drum deadline's
  // working-day search leaves the years 1–9999 ZoneOffsets covers: RangeError, a 500.
  it.each(['0001-01-01', '9999-12-31'])('go-live with promise date %s answers 4xx, not 500', async (promiseDate) => {
    const plant = await seedBatchPlant(t, `far-${promiseDate}`);
    const r = await t.app.inject({
      method: 'POST',
      url: `/v1/plants/${plant}/go-live`,
      headers: t.as('admin'),
      payload: { orders: [{ sku: 'P1', quantity: 1, promiseDate, customer: 'c', externalId: 'x' }] },
    });
    expect(r.statusCode).toBeLessThan(500);
  });
});

describe('PGlite text reads', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ kind: 'pglite', now: '2026-11-23T08:00:00Z' });
  }, 60_000);
  afterAll(async () => t?.close());

  // Not from 0029 either: the value is stored whole (length 2), but PGlite's result parser
  // decodes each field with a TextDecoder that drops a leading U+FEFF (ignoreBOM false), so a
  // customer or external id that begins with a BOM comes back without it from every read.
  // The POST's answer has it; every later GET (warm or cold) does not.
  it.fails('a customer beginning with U+FEFF reads back as posted', async () => {
    const plant = await seedBatchPlant(t, 'bom');
    const posted = await t.app.inject({
      method: 'POST',
      url: `/v1/plants/${plant}/orders`,
      headers: t.as('sales'),
      payload: { sku: 'P1', quantity: 1, promiseDate: '2026-12-20', customer: '\ufeffACME', externalId: '\ufeffSO-1' },
    });
    expect(posted.statusCode).toBe(201);
    expect(posted.json().customer).toBe('\ufeffACME');
    const { rows } = await sql<{ n: number }>`SELECT length(customer) AS n FROM orders WHERE plant_id = ${plant}`.execute(t.db.db);
    expect(rows[0]!.n).toBe(5);
    const got = await t.app.inject({ url: `/v1/plants/${plant}/orders/${posted.json().id}`, headers: t.as('planner') });
    expect(got.json().customer).toBe('\ufeffACME');
    expect(got.json().externalId).toBe('\ufeffSO-1');
  });
});
