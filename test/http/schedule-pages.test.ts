import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { realPostgresAvailable } from '../helpers/db.ts';

const NOW = '2026-11-23T08:00:00Z';
const P = '/v1/plants/plant-1';

interface Page {
  scheduleVersion: number;
  feasible: boolean;
  orders: { id: string }[];
  nextCursor: string | null;
}

describe.each(realPostgresAvailable() ? (['pglite', 'postgres'] as const) : (['pglite'] as const))(
  'GET schedule in pages on %s',
  (kind) => {
    let t: TestApp;
    const get = (query: string, headers: Record<string, string> = {}) =>
      t.app.inject({ method: 'GET', url: `${P}/schedule${query}`, headers: { ...t.as('erp'), ...headers } });
    const hold = (quantity: number) =>
      t.app.inject({ method: 'POST', url: `${P}/holds`, headers: t.as('sales'), payload: { sku: 'P1', quantity, ttlSeconds: 3600 } });

    beforeAll(async () => {
      t = await buildTestApp({ now: NOW, kind });
      await seedPlant(t);
      for (let i = 0; i < 13; i++) expect((await hold(1 + (i % 4))).statusCode).toBe(201);
    });
    afterAll(async () => t.close());

    async function allPages(limit: number): Promise<Page[]> {
      const pages: Page[] = [];
      let cursor: string | null = null;
      do {
        const res = await get(`?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.statusCode).toBe(200);
        const page = res.json() as Page;
        expect(res.headers.etag).toBe(`"${page.scheduleVersion}"`);
        pages.push(page);
        cursor = page.nextCursor;
      } while (cursor);
      return pages;
    }

    it('serves the whole drum sequence page by page, the last page with a null nextCursor', async () => {
      const whole = (await get('')).json() as Page;
      // 13 holds from beforeAll, 14 once the test that adds one has run (tests run shuffled).
      const n = whole.orders.length;
      expect([13, 14]).toContain(n);
      expect(whole.nextCursor).toBeNull();
      const pages = await allPages(5);
      expect(pages.map((p) => p.orders.length)).toEqual([5, 5, n - 10]);
      expect(pages.flatMap((p) => p.orders)).toEqual(whole.orders);
      for (const p of pages) expect(p.feasible).toBe(whole.feasible);
    });

    it('answers 304 to If-None-Match on any page while the version is unchanged', async () => {
      const first = await get('?limit=4');
      const cursor = (first.json() as Page).nextCursor!;
      const second = await get(`?limit=4&cursor=${cursor}`);
      expect((await get(`?limit=4&cursor=${cursor}`, { 'if-none-match': second.headers.etag as string })).statusCode).toBe(304);
      expect((await get('?limit=4', { 'if-none-match': '"0"' })).statusCode).toBe(200);
    });

    it('continues after the same order when the schedule changed between pages', async () => {
      const first = (await get('?limit=6')).json() as Page;
      expect((await hold(2)).statusCode).toBe(201);
      const rest = (await get(`?limit=1000&cursor=${first.nextCursor}`)).json() as Page;
      expect(rest.scheduleVersion).toBe(first.scheduleVersion + 1);
      const now = (await get('?limit=1000')).json() as Page;
      const lastId = first.orders.at(-1)!.id;
      expect(rest.orders).toEqual(now.orders.slice(now.orders.findIndex((o) => o.id === lastId) + 1));
    });

    it('refuses a limit outside 1–1000 and a cursor it did not issue, naming the field', async () => {
      for (const limit of ['0', '1001', 'x']) {
        const res = await get(`?limit=${limit}`);
        expect(res.statusCode).toBe(400);
        expect(res.headers['content-type']).toContain('application/problem+json');
      }
      for (const cursor of ['not-a-cursor', Buffer.from('[1,2]').toString('base64url'), 'a'.repeat(600)]) {
        const res = await get(`?cursor=${cursor}`);
        expect(res.statusCode).toBe(400);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(JSON.stringify(res.json())).toContain('cursor');
      }
    });
  },
);
