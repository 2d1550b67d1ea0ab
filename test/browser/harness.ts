import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axe from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumPath, ensureWebBuilt, launchChromium } from '../../scripts/browser.ts';
import type { Role } from '../../src/domain/actor.ts';
import { createApiKey } from '../../src/domain/api-keys.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';

export { go, signIn } from '../../scripts/browser.ts';

// The web board in a real browser: Debian's chromium driven by playwright-core, against the real
// app listening on a real port (the test database: PostgreSQL when configured, else PGlite).

/** Browser tests run only where chromium is installed (.ci/run installs it); elsewhere they skip loudly. */
export const haveChromium = existsSync(chromiumPath);
if (!haveChromium) {
  console.warn(
    `[drumbeat tests] no chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH): browser tests are SKIPPED`,
  );
}

/** The server's clock in every browser test (a Monday morning in Berlin). */
const NOW = '2026-11-23T08:00:00Z';

export interface Board {
  t: TestApp;
  url: string;
  keys: Record<Role, string>;
  browser: Browser;
  shots: string;
  /** A new plant seeded like the HTTP tests' (drum cnc, saw; products P1, SAWN), optionally with its own buffer policy. */
  plant(policy?: Record<string, number>): Promise<string>;
  /** A fresh browser context (its own cookies) on a page at the sign-in screen. */
  open(opts?: { width?: number; height?: number; bypassCSP?: boolean }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

export async function startBoard(prefix: string): Promise<Board> {
  // The global setup (test/browser/build-web.ts) built it; this only checks it is current.
  ensureWebBuilt();
  const t = await buildTestApp({ now: NOW });
  const floor = await createApiKey(t.db.db, { name: 'test floor', role: 'floor', plantIds: null });
  const keys = { ...t.keys, floor: floor.key };
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  const url = `http://127.0.0.1:${address.port}`;
  const browser = await launchChromium();
  const shots = mkdtempSync(join(tmpdir(), `drumbeat-${prefix}-`));
  let plants = 0;
  return {
    t,
    url,
    keys,
    browser,
    shots,
    plant: async (policy) => {
      const id = `${prefix}-${++plants}`;
      await (policy ? seedPlant(t, id, policy) : seedPlant(t, id));
      return id;
    },
    open: async (opts = {}) => {
      const context = await browser.newContext({
        viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
        ...(opts.bypassCSP ? { bypassCSP: true } : {}),
      });
      const page = await context.newPage();
      // The page's own errors, in the test log (a failing flow says why).
      page.on('pageerror', (e) => console.error('[page error]', e.message));
      page.on('console', (m) => {
        // A failed fetch shows as its status already (401 before sign-in is expected).
        if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) console.error('[page console]', m.text());
      });
      await page.clock.setFixedTime(new Date(t.clock.now()));
      await page.goto(`${url}/app/`);
      return { context, page };
    },
    close: async () => {
      await browser.close();
      await t.close();
    },
  };
}

/** The names of the navigation links, in order. */
export async function navNames(page: Page): Promise<string[]> {
  return page.getByRole('navigation', { name: 'Screens' }).getByRole('link').allInnerTexts();
}

/** axe-core's serious and critical violations on the current page (the context must bypass CSP to inject it). */
export async function axeViolations(page: Page): Promise<{ id: string; impact: string; nodes: string[] }[]> {
  await page.evaluate(axe.source);
  return page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.html) })))`);
}

/** A short description of the focused element (for tab-order tests). */
export async function focused(page: Page): Promise<string> {
  return page.evaluate(`(() => {
    const el = document.activeElement;
    if (!el) return '';
    const label = el.getAttribute('aria-label') || (el.labels && el.labels[0] && el.labels[0].textContent) || el.textContent || '';
    return el.tagName.toLowerCase() + ':' + label.replace(/\\s+/g, ' ').trim();
  })()`);
}

/** HTTP against the same app (what another client does meanwhile). */
export async function apiCall(b: Board, role: Role, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) {
  const res = await b.t.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${b.keys[role]}` },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.statusCode === 204 ? undefined : res.json();
}

/** A confirmed order at its earliest date (due for release now: it is on the board and the release list). */
export async function confirmedOrder(
  b: Board,
  plant: string,
  quantity = 3,
  customer = 'ACME',
): Promise<{ id: string; promiseDate: string }> {
  const hold = await apiCall(b, 'sales', 'POST', `/v1/plants/${plant}/holds`, { sku: 'P1', quantity, customer });
  return apiCall(b, 'sales', 'POST', `/v1/plants/${plant}/holds/${hold.id}/confirm`, {});
}
