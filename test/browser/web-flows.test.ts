import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, confirmedOrder, go, haveChromium, navNames, signIn, startBoard, type Board } from './harness.ts';

// Each flow clicked through in chromium against the real service; what the page shows is
// checked against what the API then holds. Tests run shuffled: each seeds its own plant.

(haveChromium ? describe : describe.skip)('web board flows in a real browser', () => {
  let b: Board;
  beforeAll(async () => {
    b = await startBoard('flows');
  }, 120_000);
  afterAll(async () => b?.close());

  const shot = (page: Page, name: string) => page.screenshot({ path: join(b.shots, `${name}.png`), fullPage: true });

  it('signs in per role, shows only that role’s screens, keeps the key out of the page, and signs out', async () => {
    const expected = {
      planner: ['Buffer board', 'Release & floor', 'Capacity', 'Timeline', 'KPIs'],
      floor: ['Buffer board', 'Release & floor'],
      erp: ['Buffer board', 'Release & floor'],
      sales: ['Quotes & my orders'],
      admin: ['KPIs'],
    } as const;
    for (const [role, screens] of Object.entries(expected) as [keyof typeof expected, readonly string[]][]) {
      const { context, page } = await b.open();
      await signIn(page, b.keys[role]);
      expect(await navNames(page), role).toEqual(screens);
      // The session cookie is httpOnly (scripts cannot read it) and the key is in no storage.
      expect(await page.evaluate('document.cookie')).not.toContain('drumbeat_session');
      const stored = await page.evaluate('JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])');
      expect(stored).not.toContain(b.keys[role]);
      const cookie = (await context.cookies()).find((c) => c.name === 'drumbeat_session');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
      // A reload resumes the session (GET /app/session gives the CSRF token back).
      await page.reload();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('API key').waitFor();
      await page.reload();
      await page.getByLabel('API key').waitFor();
      await context.close();
    }
  });

  it('refuses a wrong key with a message and no session', async () => {
    const { context, page } = await b.open();
    await page.getByLabel('API key').fill('dbk_not_a_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).not.toBe('');
    expect((await context.cookies()).find((c) => c.name === 'drumbeat_session')).toBeUndefined();
    await context.close();
  });

  it('sales: quote → hold → confirm, and the order is in “My holds and orders”', async () => {
    const plant = await b.plant();
    const { context, page } = await b.open();
    await signIn(page, b.keys.sales, plant);
    await page.getByLabel('Product').selectOption('P1');
    await page.getByLabel('Quantity').fill('4');
    await page.getByLabel('Customer (optional)').fill('Brewery Lutz');
    await page.getByRole('button', { name: 'Get earliest date' }).click();
    const earliest = await page.getByTestId('earliest').innerText();
    expect(earliest).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await page.getByRole('button', { name: `Hold ${earliest}` }).click();
    await page.getByRole('button', { name: 'Confirm order' }).click();
    await page.getByText(`Order confirmed: P1 × 4, promised ${earliest}.`).waitFor();
    await shot(page, 'sales-confirmed');

    const orders = (await apiCall(b, 'planner', 'GET', `/v1/plants/${plant}/orders`)).items;
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ status: 'confirmed', sku: 'P1', quantity: 4, promiseDate: earliest, customer: 'Brewery Lutz' });
    const row = page.getByRole('table', { name: 'My holds and orders' }).locator(`tr[data-order="${orders[0].id}"]`);
    await expect.poll(() => row.innerText()).toContain('confirmed');
    await context.close();
  });

  it('planner: a capacity change is previewed (nothing written) and then applied', async () => {
    const plant = await b.plant();
    await confirmedOrder(b, plant);
    const { context, page } = await b.open();
    await signIn(page, b.keys.planner, plant);
    await go(page, 'capacity');
    await page.getByLabel('Resource').selectOption('cnc');
    await page.getByLabel('Kind').selectOption('overtime');
    await page.getByLabel('Date').fill('2026-11-25');
    await page.getByLabel('From').fill('22:00');
    await page.getByLabel('To').fill('23:30');
    await page.getByLabel('Reason').first().fill('rush week');
    const before = (await apiCall(b, 'planner', 'GET', `/v1/plants/${plant}`)).scheduleVersion;
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByTestId('preview');
    await expect.poll(() => preview.innerText()).toContain('+1 h 30 min of working time');
    await shot(page, 'capacity-preview');
    // A preview changes nothing.
    expect((await apiCall(b, 'planner', 'GET', `/v1/plants/${plant}/capacity-changes`)).items).toHaveLength(0);
    expect((await apiCall(b, 'planner', 'GET', `/v1/plants/${plant}`)).scheduleVersion).toBe(before);

    await page.getByRole('button', { name: 'Apply change' }).click();
    await page.getByText(/^Applied: schedule version/).waitFor();
    const changes = (await apiCall(b, 'planner', 'GET', `/v1/plants/${plant}/capacity-changes`)).items;
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      resource: 'cnc',
      kind: 'overtime',
      date: '2026-11-25',
      start: '22:00',
      end: '23:30',
      reason: 'rush week',
    });
    await context.close();
  });

  it('planner: re-promises an at-risk order with a reason', async () => {
    const plant = await b.plant();
    const order = await confirmedOrder(b, plant, 5);
    // Days pass without a release, past the promised day: the order is at risk (release overdue).
    const start = b.t.clock.now();
    try {
      const dayAfter = new Date(`${order.promiseDate}T10:00:00Z`);
      dayAfter.setUTCDate(dayAfter.getUTCDate() + 1);
      b.t.clock.set(dayAfter);
      const hold = await apiCall(b, 'sales', 'POST', `/v1/plants/${plant}/holds`, { sku: 'P1', quantity: 1 });
      await apiCall(b, 'sales', 'DELETE', `/v1/plants/${plant}/holds/${hold.id}`);
      const atRisk = (await apiCall(b, 'planner', 'GET', `/v1/plants/${plant}/at-risk`)).items;
      expect(atRisk.map((r: { orderId: string }) => r.orderId)).toContain(order.id);
      const feasible = (await apiCall(b, 'planner', 'POST', `/v1/plants/${plant}/quotes`, { sku: 'P1', quantity: 5 })).earliestPromiseDate;

      const { context, page } = await b.open();
      await signIn(page, b.keys.planner, plant);
      await go(page, 'capacity');
      const item = page.locator(`li[data-order="${order.id}"]`);
      await item.getByLabel('New date').fill(feasible);
      await item.getByLabel('Reason').fill('material came late');
      await item.getByRole('button', { name: 'Re-promise' }).click();
      await page.getByText(`Re-promised P1 × 5 to ${feasible}`).waitFor();
      const after = await apiCall(b, 'planner', 'GET', `/v1/plants/${plant}/orders/${order.id}`);
      expect(after).toMatchObject({ promiseDate: feasible, originalPromiseDate: order.promiseDate });
      const events = (await apiCall(b, 'planner', 'GET', `/v1/plants/${plant}/events?limit=1000`)).items;
      expect(events.filter((e: { type: string }) => e.type === 'order.repromised').at(-1)).toMatchObject({
        orderId: order.id,
        data: { to: feasible, reason: 'material came late' },
      });
      await context.close();
    } finally {
      b.t.clock.set(start);
    }
  });

  it('floor: release → progress → complete → ship', async () => {
    const plant = await b.plant();
    const order = await confirmedOrder(b, plant, 3);
    const { context, page } = await b.open();
    await signIn(page, b.keys.floor, plant);
    await go(page, 'floor');
    await page.getByRole('button', { name: 'Release P1' }).click();
    await page.getByText('Released P1 × 3').waitFor();
    const work = page.locator(`li.work[data-order="${order.id}"]`);
    await work.waitFor();
    await work.getByLabel('Drum minutes done').fill('20');
    await work.getByRole('button', { name: 'Report progress' }).click();
    await page.getByText('Reported 20 min done on P1').waitFor();
    expect(await apiCall(b, 'planner', 'GET', `/v1/plants/${plant}/orders/${order.id}`)).toMatchObject({
      status: 'in_progress',
      drumDoneMinutes: 20,
    });
    await shot(page, 'floor-in-work');
    await work.getByRole('button', { name: 'Complete P1' }).click();
    await page.getByText('Completed P1 × 3').waitFor();
    await page.getByRole('button', { name: 'Ship P1' }).click();
    await page.getByText('Shipped P1 × 3').waitFor();
    expect(await apiCall(b, 'planner', 'GET', `/v1/plants/${plant}/orders/${order.id}`)).toMatchObject({ status: 'shipped' });
    await context.close();
  });

  it('board: a card appears live when another client confirms an order', async () => {
    const plant = await b.plant();
    const first = await confirmedOrder(b, plant, 2, 'First');
    const { context, page } = await b.open();
    await signIn(page, b.keys.planner, plant);
    await page.locator(`[data-order="${first.id}"]`).waitFor();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    const second = await confirmedOrder(b, plant, 6, 'Second');
    // No reload: the event stream brings it.
    const card = page.locator(`article[data-order="${second.id}"]`);
    await card.waitFor({ timeout: 10_000 });
    expect(await card.innerText()).toMatch(/GREEN|YELLOW|RED|BLACK/);
    expect(await card.innerText()).toContain('Second');
    await shot(page, 'board-live');
    await context.close();
  });

  it('a role that may not act does not see the action', async () => {
    const plant = await b.plant();
    await confirmedOrder(b, plant);
    // Sales has no board or floor screen: a typed address falls back to its own screen.
    const sales = await b.open();
    await signIn(sales.page, b.keys.sales, plant);
    await go(sales.page, 'floor');
    await sales.page.getByRole('heading', { name: 'Quotes & my orders' }).waitFor();
    expect(await sales.page.getByRole('button', { name: /^Release/ }).count()).toBe(0);
    await sales.context.close();
    // The floor releases but neither changes capacity nor re-promises.
    const floor = await b.open();
    await signIn(floor.page, b.keys.floor, plant);
    await go(floor.page, 'capacity');
    await floor.page.getByRole('heading', { name: 'Buffer board' }).waitFor();
    expect(await floor.page.getByRole('button', { name: /Apply change|Re-promise|Preview/ }).count()).toBe(0);
    await go(floor.page, 'floor');
    await floor.page.getByRole('button', { name: 'Release P1' }).waitFor();
    await floor.context.close();
    // Admin reads KPIs only.
    const admin = await b.open();
    await signIn(admin.page, b.keys.admin, plant);
    await admin.page.getByRole('heading', { name: 'KPIs' }).waitFor();
    expect(await admin.page.getByRole('button', { name: /Release|Re-promise|Apply/ }).count()).toBe(0);
    await admin.context.close();
  });

  it('planner: the timeline and KPI screens show the span of weeks chosen', async () => {
    const plant = await b.plant();
    const { context, page } = await b.open();
    await signIn(page, b.keys.planner, plant);
    await go(page, 'timeline');
    const chart = (days: number) => page.getByRole('img', { name: new RegExp(`^Plan of \\d+ resources over ${days} days from `) });
    await chart(28).waitFor();
    await page.getByLabel('Weeks').selectOption({ label: '8' });
    await chart(56).waitFor();
    await page.getByLabel('Weeks').selectOption({ label: '2' });
    await chart(14).waitFor();
    await go(page, 'kpis');
    await page.getByRole('heading', { name: 'KPIs' }).waitFor();
    expect(await page.getByLabel('Weeks').inputValue()).toBe('12');
    // The screen's first (12-week) request may still be on its way: judge the last one asked.
    const spans: number[] = [];
    page.on('request', (r) => {
      if (!r.url().includes('/kpis?')) return;
      const query = new URL(r.url()).searchParams;
      spans.push((Date.parse(query.get('to')!) - Date.parse(query.get('from')!)) / 86_400_000);
    });
    await page.getByLabel('Weeks').selectOption({ label: '26' });
    await expect.poll(() => spans.at(-1)).toBe(26 * 7 - 1);
    await context.close();
  });

  it('sales asks for capacity, the planner accepts a proposal, sales sees the result', async () => {
    // Three orders fill Friday's drum: 100 more units for Friday are short, and overtime would buy them.
    const plant = await b.plant({ productionBufferDays: 2, shippingBufferDays: 1, standardLeadTimeDays: 2 });
    await apiCall(b, 'planner', 'PUT', `/v1/plants/${plant}/capacity-policy`, {
      currency: 'EUR',
      defaults: { overtime: { costPerHour: 60 } },
    });
    for (let i = 0; i < 3; i++) {
      await apiCall(b, 'planner', 'POST', `/v1/plants/${plant}/orders`, {
        sku: 'P1',
        quantity: 90,
        promiseDate: '2026-11-27',
        customer: 'X',
      });
    }
    const sales = await b.open();
    await signIn(sales.page, b.keys.sales, plant);
    await sales.page.getByLabel('Product').selectOption('P1');
    await sales.page.getByLabel('Quantity').fill('100');
    await sales.page.getByLabel('Requested date (optional)').fill('2026-11-27');
    await sales.page.getByRole('button', { name: 'Get earliest date' }).click();
    await sales.page.getByText('✗ cannot be kept').waitFor();
    // Sales sees no action that would apply capacity itself.
    expect(await sales.page.getByRole('button', { name: /^Accept/ }).count()).toBe(0);
    await sales.page.getByRole('button', { name: 'Ask planner for capacity' }).click();
    await sales.page.getByText(/^Capacity request filed for 2026-11-27/).waitFor();
    await shot(sales.page, 'sales-capacity-request');
    const [filed] = (await apiCall(b, 'planner', 'GET', `/v1/plants/${plant}/capacity-requests`)).items;
    expect(filed).toMatchObject({ status: 'open', sku: 'P1', quantity: 100, requestedDate: '2026-11-27' });
    expect((await apiCall(b, 'planner', 'GET', `/v1/plants/${plant}/capacity-changes`)).items).toHaveLength(0);

    const planner = await b.open();
    await signIn(planner.page, b.keys.planner, plant);
    await go(planner.page, 'capacity');
    const request = planner.page.locator(`li[data-request="${filed.id}"]`);
    await request.getByText('EUR').first().waitFor();
    await shot(planner.page, 'planner-inbox');
    await request.getByRole('button', { name: 'Accept proposal 1' }).click();
    await planner.page.getByText('Accepted proposal 1 for P1').waitFor();
    expect((await apiCall(b, 'planner', 'GET', `/v1/plants/${plant}/capacity-requests/${filed.id}`)).status).toBe('accepted');
    expect((await apiCall(b, 'planner', 'GET', `/v1/plants/${plant}/capacity-changes`)).items.length).toBeGreaterThan(0);
    await planner.context.close();

    // The salesperson's list updates (live) with the answer.
    const mine = sales.page.locator(`li[data-request="${filed.id}"]`);
    await expect.poll(() => mine.getAttribute('data-status'), { timeout: 10_000 }).toBe('accepted');
    expect(await mine.innerText()).toContain('2026-11-27 can now be kept');
    await sales.context.close();
  });
});
