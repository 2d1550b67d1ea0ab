import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOrders, setupPlant } from '../../bench/seed.ts';
import { go, haveChromium, signIn, startBoard, type Board } from './harness.ts';

// The board asks the service for its first page of cards and fetches the next pages as the
// virtualised list scrolls to its end; the counts per zone cover every card from the start.

const ORDERS = 450;

(haveChromium ? describe : describe.skip)('web board paging in a real browser', () => {
  let b: Board;
  const plant = 'paging';
  beforeAll(async () => {
    b = await startBoard('paging');
    await setupPlant(b.t.db.db, plant);
    // The bench's seed plans each release at the wall-clock now: a minute later every order is due.
    await seedOrders(b.t.db.db, plant, ORDERS);
    b.t.clock.set(new Date(Date.now() + 60_000).toISOString());
  }, 120_000);
  afterAll(async () => b?.close());

  it('shows counts over all cards and loads more cards as the list scrolls', async () => {
    const { context, page } = await b.open();
    const pages: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/buffer-board')) pages.push(new URL(r.url()).search);
    });
    await signIn(page, b.keys.planner, plant);
    await go(page, 'board');
    const list = page.getByRole('list', { name: 'Orders by buffer penetration' });
    await list.waitFor();
    const counts = await page.locator('.zone-counts [data-zone] strong').allInnerTexts();
    expect(counts.map(Number).reduce((a, n) => a + n, 0)).toBe(ORDERS);
    expect(pages).toEqual(['?limit=200&offset=0']);
    // Scroll to the end until the last card is in view: two more pages.
    const last = page.getByText(`#${ORDERS} ·`);
    for (let i = 0; i < 20 && !(await last.isVisible()); i++) {
      await list.evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await page.waitForTimeout(150);
    }
    await expect.poll(() => last.isVisible()).toBe(true);
    expect(pages).toEqual(['?limit=200&offset=0', '?limit=200&offset=200', '?limit=200&offset=400']);
    await context.close();
  }, 60_000);
});
