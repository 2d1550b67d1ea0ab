import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { DEMO_PLANT, seedDemoPlant } from '../src/domain/demo.ts';
import { ensureWebBuilt, go, launchChromium, signIn } from './browser.ts';
import { startDemoService, type DemoService } from './demo-service.ts';

// npm run screenshots: every screen of the web board, rendered by chromium under a fixed clock
// with a seeded history of the demo plant, into docs/screenshots/*.png (shown in the README).
// The same clock and seed give the same pictures.

const NOW = '2026-11-23T08:00:00Z';
const out = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));

/** mulberry32: a tiny seeded generator, so the story is the same on every run. */
function seeded(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CUSTOMERS = ['Brauerei Lutz', 'Stadtwerke Nord', 'ACME GmbH', 'Hydro Tec', 'Kessel & Sohn', 'Vinopur', 'AquaPlan'];
const SKUS = ['VALVE-50', 'VALVE-50', 'VALVE-100', 'MANIFOLD-4'];

async function story(s: DemoService): Promise<void> {
  const rnd = seeded(42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const P = `/v1/plants/${DEMO_PLANT}`;
  const order = async () => {
    const sku = pick(SKUS);
    const quantity = sku === 'MANIFOLD-4' ? 2 + Math.floor(rnd() * 6) : 5 + Math.floor(rnd() * 20);
    const quote = await s.call<{ quoteId: string }>('sales', 'POST', `${P}/quotes`, { sku, quantity });
    const hold = await s.call<{ id: string }>('sales', 'POST', `${P}/holds`, {
      sku,
      quantity,
      customer: pick(CUSTOMERS),
      quoteId: quote.quoteId,
    });
    return s.call<{ id: string; drumLoadMinutes: number }>('sales', 'POST', `${P}/holds/${hold.id}/confirm`, {});
  };
  const release = (id: string) => s.call('planner', 'POST', `${P}/orders/${id}/release`, { reason: 'material in stock' });
  const finish = async (id: string) => {
    await s.call('floor', 'POST', `${P}/orders/${id}/complete`, {});
    await s.call('floor', 'POST', `${P}/orders/${id}/ship`, {});
  };

  // Two weeks ago: orders taken and released; some finished and shipped over the following days.
  s.clock.set('2026-11-09T07:00:00Z');
  const early = [];
  for (let i = 0; i < 8; i++) early.push(await order());
  for (const o of early) await release(o.id);
  s.clock.set('2026-11-13T12:00:00Z');
  for (const o of early.slice(0, 4)) await finish(o.id);
  // Last week: more orders; a customer moves one; a few shipped.
  s.clock.set('2026-11-16T07:00:00Z');
  const mid = [];
  for (let i = 0; i < 8; i++) mid.push(await order());
  for (const o of mid.slice(0, 5)) await release(o.id);
  // A customer moves an order out by a week; the plant moves one when material is late.
  for (const [o, initiator] of [
    [mid[6]!, 'customer'],
    [mid[7]!, 'plant'],
  ] as const) {
    const view = await s.call<{ promiseDate: string }>('planner', 'GET', `${P}/orders/${o.id}`);
    const later = new Date(`${view.promiseDate}T12:00:00Z`);
    later.setUTCDate(later.getUTCDate() + 7);
    await s.call('planner', 'POST', `${P}/orders/${o.id}/repromise`, {
      promiseDate: later.toISOString().slice(0, 10),
      reason: initiator === 'customer' ? 'customer asked for a later delivery' : 'castings arrive late',
      initiator,
    });
  }
  s.clock.set('2026-11-19T12:00:00Z');
  for (const o of [...early.slice(4, 6), ...mid.slice(0, 2)]) await finish(o.id);
  // This morning: new orders, progress on the drum, an open hold.
  s.clock.set('2026-11-23T07:00:00Z');
  const today = [];
  for (let i = 0; i < 10; i++) today.push(await order());
  for (const o of today.slice(0, 3)) await release(o.id);
  for (const o of mid.slice(2, 5)) {
    const view = await s.call<{ drumLoadMinutes: number }>('planner', 'GET', `${P}/orders/${o.id}`);
    await s.call('floor', 'POST', `${P}/orders/${o.id}/progress`, { drumMinutesDone: Math.floor(view.drumLoadMinutes / 2) });
  }
  await s.call('sales', 'POST', `${P}/holds`, { sku: 'VALVE-100', quantity: 12, customer: 'Vinopur', ttlSeconds: 3600 });
  s.clock.set(NOW);
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.getByText('Loading…').first().waitFor({ state: 'detached' });
  await page.screenshot({ path: join(out, `${name}.png`) });
  console.log(`docs/screenshots/${name}.png`);
}

ensureWebBuilt();
mkdirSync(out, { recursive: true });
const s = await startDemoService(NOW, ['planner', 'sales', 'floor', 'admin']);
const browser = await launchChromium();
try {
  await seedDemoPlant(s.db, s.clock);
  await story(s);
  const open = async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.clock.setFixedTime(new Date(NOW));
    await page.goto(`${s.url}/app/`);
    return { context, page };
  };

  const signInPage = await open();
  await signInPage.page.getByLabel('API key').waitFor();
  await shoot(signInPage.page, 'sign-in');
  await signInPage.context.close();

  const planner = await open();
  await signIn(planner.page, s.keys.planner, DEMO_PLANT);
  await planner.page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
  await shoot(planner.page, 'board');
  await go(planner.page, 'capacity');
  await planner.page.getByLabel('Resource').selectOption('cnc');
  await planner.page.getByLabel('Date', { exact: true }).fill('2026-11-25');
  await planner.page.getByLabel('Reason').first().fill('Rush week before Christmas');
  await planner.page.getByRole('button', { name: 'Preview' }).click();
  await planner.page.getByTestId('preview').waitFor();
  await shoot(planner.page, 'capacity');
  await go(planner.page, 'timeline');
  await planner.page.locator('svg.gantt').waitFor();
  await shoot(planner.page, 'timeline');
  await go(planner.page, 'kpis');
  await planner.page.locator('figure.chart').first().waitFor();
  await shoot(planner.page, 'kpis');
  await planner.context.close();

  const floor = await open();
  await signIn(floor.page, s.keys.floor, DEMO_PLANT);
  await go(floor.page, 'floor');
  await floor.page.getByRole('heading', { name: /^Release today/ }).waitFor();
  await shoot(floor.page, 'floor');
  await floor.context.close();

  const sales = await open();
  await signIn(sales.page, s.keys.sales, DEMO_PLANT);
  await sales.page.getByLabel('Product').selectOption('VALVE-100');
  await sales.page.getByLabel('Quantity').fill('40');
  await sales.page.getByLabel('Requested date (optional)').fill('2026-12-04');
  await sales.page.getByRole('button', { name: 'Get earliest date' }).click();
  await sales.page.getByTestId('earliest').waitFor();
  await shoot(sales.page, 'sales');
  await sales.context.close();
} finally {
  await browser.close();
  await s.close();
}
