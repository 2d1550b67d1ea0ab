import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/domain/api-keys.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { aPlant } from '../helpers/builders.ts';

let t: TestApp;
let scopedAdmin: string;
beforeAll(async () => {
  t = await buildTestApp();
  for (const id of ['p1', 'p2']) {
    const res = await t.app.inject({ method: 'POST', url: '/v1/plants', headers: t.as('admin'), payload: aPlant({ id }) });
    expect(res.statusCode).toBe(201);
  }
  scopedAdmin = `Bearer ${(await createApiKey(t.db.db, { name: 'p1 admin', role: 'admin', plantIds: ['p1'] })).key}`;
});
afterAll(async () => t.close());

const audit = async (authorization: string) => {
  const res = await t.app.inject({ method: 'GET', url: '/v1/audit-log', headers: { authorization } });
  expect(res.statusCode).toBe(200);
  return res.json().items as Array<{ action: string; actor: string; plant: string | null; target: string; data: Record<string, unknown> }>;
};

describe('the audit log of keys and master data', () => {
  it('records plant creation and key creation and revocation with the actor', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: t.as('admin'),
      payload: { name: 'ERP p1', role: 'erp', plants: ['p1'] },
    });
    expect(created.statusCode).toBe(201);
    const keyId = created.json().id;
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${keyId}`, headers: t.as('admin') })).statusCode).toBe(204);

    const items = await audit(t.as('admin').authorization);
    const adminLabel = expect.stringMatching(/^admin:test admin \(key_[0-9a-f]+\)$/);
    expect(items.slice(0, 2)).toEqual([
      expect.objectContaining({ action: 'api-key.revoked', target: keyId, plant: 'p1', actor: adminLabel }),
      expect.objectContaining({
        action: 'api-key.created',
        target: keyId,
        plant: 'p1',
        actor: adminLabel,
        data: expect.objectContaining({ role: 'erp' }),
      }),
    ]);
    expect(items).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: 'plant.created', target: 'p2', plant: 'p2', actor: adminLabel })]),
    );
    expect(JSON.stringify(items)).not.toContain('drb_'); // never a secret
  });

  it('records resource, product and buffer-policy changes with before and after', async () => {
    const admin = t.as('admin');
    const calendar = { weekly: [{ day: 'mon', start: '06:00', end: '14:00' }], exceptions: [] };
    expect(
      (
        await t.app.inject({
          method: 'PUT',
          url: '/v1/plants/p1/resources/cnc',
          headers: admin,
          payload: { name: 'CNC', drum: true, calendar },
        })
      ).statusCode,
    ).toBeLessThan(300);
    const product = { name: 'P', routing: [{ resource: 'cnc', setupMinutes: 0, runMinutesPerUnit: 1 }] };
    expect(
      (await t.app.inject({ method: 'PUT', url: '/v1/plants/p1/products/P', headers: admin, payload: product })).statusCode,
    ).toBeLessThan(300);
    const policy = { productionBufferDays: 6 };
    expect(
      (await t.app.inject({ method: 'PUT', url: '/v1/plants/p1/buffer-policy', headers: t.as('planner'), payload: policy })).statusCode,
    ).toBe(200);

    const items = await audit(admin.authorization);
    expect(items.slice(0, 3)).toEqual([
      expect.objectContaining({
        action: 'buffer-policy.changed',
        plant: 'p1',
        actor: expect.stringMatching(/^planner:/),
        data: expect.objectContaining({ after: policy, before: expect.objectContaining({ productionBufferDays: 10 }) }),
      }),
      expect.objectContaining({ action: 'product.changed', target: 'P', plant: 'p1', data: { created: true, after: product } }),
      expect.objectContaining({
        action: 'resource.changed',
        target: 'cnc',
        plant: 'p1',
        data: { before: null, after: { name: 'CNC', drum: true, calendar } },
      }),
    ]);
  });

  it('shows a plant-limited admin only the entries of its plants', async () => {
    const items = await audit(scopedAdmin);
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.plant === 'p1')).toBe(true);
  });

  it('is append-only in the database', async () => {
    await expect(sql`UPDATE audit_log SET actor = 'someone else'`.execute(t.db.db)).rejects.toMatchObject({ code: 'P0A01' });
    await expect(sql`DELETE FROM audit_log`.execute(t.db.db)).rejects.toMatchObject({ code: 'P0A01' });
  });

  it('refuses other roles', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/audit-log', headers: t.as('planner') })).statusCode).toBe(403);
  });
});
