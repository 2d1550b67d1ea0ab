import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { erpIntegration } from '../../client/examples/erp-integration.ts';
import { drumbeatClient } from '../../client/index.ts';
import { generateClientTypes } from '../../src/cli/client-types.ts';
import { generateOpenApiJson } from '../../src/http/openapi-document.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';

describe('the typed client', () => {
  it('client/schema.ts is current (run `npm run openapi` after changing routes or schemas)', async () => {
    const committed = await readFile(new URL('../../client/schema.ts', import.meta.url), 'utf8');
    expect(committed === (await generateClientTypes(await generateOpenApiJson())), 'client/schema.ts is stale: run `npm run openapi`').toBe(
      true,
    );
  });

  describe('the ERP integration example against a live server', () => {
    let t: TestApp;
    let baseUrl: string;
    beforeAll(async () => {
      t = await buildTestApp({ now: '2026-11-23T08:00:00Z' });
      await seedPlant(t, 'erp-plant', { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 });
      baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
    });
    afterAll(async () => t.close());

    it('pushes by external id, handles the 409 through its typed fields, reads back by external id and consumes the feed', async () => {
      const run = () =>
        erpIntegration({ baseUrl, apiKey: t.keys.erp, plant: 'erp-plant', sku: 'P1', externalId: 'SO-1001', askedDate: '2026-11-24' });
      const first = await run();
      // Tomorrow is inside the standard lead time: refused, then pushed at the earliest date the schedule keeps.
      expect(first.repromisedFrom).toBe('2026-11-24');
      expect(first.order).toMatchObject({ externalId: 'SO-1001', status: 'confirmed', sku: 'P1', quantity: 5 });
      expect(first.order.promiseDate > '2026-11-24').toBe(true);
      expect(first.events.map((e) => e.type)).toContain('order.pushed');
      expect(first.events.find((e) => e.type === 'order.pushed')?.orderId).toBe(first.order.id);

      // A retry (the ERP pushing again after a timeout) is the same order; the feed continues from its last seq.
      const again = await run();
      expect(again.order.id).toBe(first.order.id);
      expect(again.events.every((e) => e.seq > 0)).toBe(true);
      const rows = await t.db.db.selectFrom('orders').select('id').where('plant_id', '=', 'erp-plant').execute();
      expect(rows).toHaveLength(1);
    });

    it('types a refusal: the 409 carries earliestPromiseDate and the price of the date', async () => {
      const api = drumbeatClient(baseUrl, t.keys.sales);
      const { data, error } = await api.POST('/v1/plants/{plant}/holds', {
        params: { path: { plant: 'erp-plant' } },
        body: { sku: 'P1', quantity: 5, promiseDate: '2026-11-24', customer: 'ACME' },
      });
      expect(data).toBeUndefined();
      expect(error).toMatchObject({ type: 'https://drumbeat.dev/problems/schedule-infeasible', status: 409 });
      expect(error && 'earliestPromiseDate' in error && typeof error.earliestPromiseDate).toBe('string');
    });
  });
});
