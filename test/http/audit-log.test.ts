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
