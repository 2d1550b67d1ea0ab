import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, confirmedOrder, focused, go, haveChromium, signIn, startBoard, type Board } from './harness.ts';

// Keyboard, accessibility and layout: a tested tab order, no serious or critical axe-core
// violation on any screen, and no sideways scrolling of the page at 1280×800 and 768×1024.

(haveChromium ? describe : describe.skip)('web board quality in a real browser', () => {
  let b: Board;
  let plant: string;
  beforeAll(async () => {
    b = await startBoard('quality');
    plant = await b.plant();
    await confirmedOrder(b, plant, 3, 'ACME');
    await confirmedOrder(b, plant, 12, 'Brewery Lutz');
  }, 120_000);
  afterAll(async () => b?.close());

  it('tabs through the sign-in form, then skip link, screens, plant, sign out, in that order', async () => {
    const { context, page } = await b.open();
    await page.getByLabel('API key').waitFor();
    const order: string[] = [];
    for (let i = 0; i < 2; i++) {
      await page.keyboard.press('Tab');
      order.push(await focused(page));
    }
    expect(order).toEqual(['input:API key', 'button:Sign in']);
    await page.getByLabel('API key').fill(b.keys.planner);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByLabel('Plant').selectOption(plant);
    await page.evaluate('document.activeElement && document.activeElement.blur()');
    await page.locator('body').focus();
    const shell: string[] = [];
    for (let i = 0; i < 9; i++) {
      await page.keyboard.press('Tab');
      shell.push(await focused(page));
    }
    expect(shell).toEqual([
      'a:Skip to content',
      'a:Buffer board',
      'a:Release & floor',
      'a:Capacity',
      'a:Timeline',
      'a:KPIs',
      expect.stringMatching(/^select:Plant/),
      'button:Sign out',
      expect.stringMatching(/^(div|main|section|a|button)/),
    ]);
    // The screens are reachable by keyboard alone.
    await page.getByRole('link', { name: 'Capacity' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Capacity', level: 1 }).waitFor();
    await context.close();
  });

  it('has no serious or critical axe-core violation on any screen', async () => {
    const screens: [keyof Board['keys'], string, string][] = [
      ['planner', 'board', 'Buffer board'],
      ['planner', 'floor', 'Release & floor'],
      ['planner', 'capacity', 'Capacity'],
      ['planner', 'timeline', 'Timeline'],
      ['planner', 'kpis', 'KPIs'],
      ['sales', 'sales', 'Quotes & my orders'],
    ];
    const signInPage = await b.open({ bypassCSP: true });
    expect(await axeViolations(signInPage.page)).toEqual([]);
    await signInPage.context.close();
    for (const [role, screen, heading] of screens) {
      const { context, page } = await b.open({ bypassCSP: true });
      await signIn(page, b.keys[role], plant);
      await go(page, screen);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await page.getByText('Loading…').first().waitFor({ state: 'detached' });
      expect(await axeViolations(page), `${role} ${screen}`).toEqual([]);
      await context.close();
    }
  }, 180_000);

  it.each([
    [1280, 800],
    [768, 1024],
  ])(
    'is readable at %i×%i: no screen scrolls sideways',
    async (width, height) => {
      for (const [role, screen] of [
        ['planner', 'board'],
        ['planner', 'floor'],
        ['planner', 'capacity'],
        ['planner', 'kpis'],
        ['sales', 'sales'],
      ] as const) {
        const { context, page } = await b.open({ width, height });
        await signIn(page, b.keys[role], plant);
        await go(page, screen);
        await page.getByText('Loading…').first().waitFor({ state: 'detached' });
        const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        expect(overflow, `${screen} at ${width}×${height}`).toBeLessThanOrEqual(0);
        await page.screenshot({ path: join(b.shots, `${screen}-${width}x${height}.png`) });
        await context.close();
      }
    },
    180_000,
  );
});
