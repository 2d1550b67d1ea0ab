import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { aPlant } from '../helpers/builders.ts';

// PostgreSQL without WEBHOOK_SECRET_KEY: secrets could not be sealed with a key every process
// shares, so a subscription is refused (503, nothing written) rather than stored unprotected.
describe('webhooks without a secret key', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ kind: 'pglite', build: { webhooks: { secretKey: null } } });
    expect(
      (await t.app.inject({ method: 'POST', url: '/v1/plants', headers: t.as('admin'), payload: aPlant({ id: 'nokey' }) })).statusCode,
    ).toBe(201);
  });
  afterAll(async () => t?.close());

  it('refuses to create a subscription with a 503 naming WEBHOOK_SECRET_KEY', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/plants/nokey/webhooks',
      headers: t.as('admin'),
      payload: { url: 'https://erp.example.com/h', eventTypes: ['order.pushed'] },
    });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().detail).toContain('WEBHOOK_SECRET_KEY');
    expect((await t.app.inject({ method: 'GET', url: '/v1/plants/nokey/webhooks', headers: t.as('admin') })).json().items).toEqual([]);
  });
});
