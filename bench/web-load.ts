import { appendFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { ensureWebBuilt, launchChromium, signIn } from '../scripts/browser.ts';
import { startDemoService } from '../scripts/demo-service.ts';
import { machineInfo } from './machine.ts';
import { seedOrders, setupPlant } from './seed.ts';

// npm run bench:web [-- --quick]: how long each screen of the web board takes to show its data
// with 10k open orders (all due for release: the board and the release list hold every one),
// in headless chromium against the real app on the embedded database. From navigation to the
// screen's data on the page (no "Loading…" left), median and max of several loads.
// A full run appends a section to bench/RESULTS.md; --quick (200 orders) prints only.

const quick = process.argv.includes('--quick');
const ORDERS = quick ? 200 : 10_000;
const RUNS = quick ? 2 : 7;
const PLANT = 'web';
// afterWrite: each load follows a write (an order released), so the service reads the plant's
// order rows again (they are kept per schedule version): the first load after a change.
const SCREENS: [role: 'planner' | 'floor' | 'sales', screen: string, afterWrite?: true][] = [
  ['planner', 'board'],
  ['planner', 'board', true],
  ['floor', 'floor'],
  ['floor', 'floor', true],
  ['planner', 'timeline'],
  ['planner', 'capacity'],
  ['planner', 'kpis'],
  ['sales', 'sales'],
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function loadTimes(context: BrowserContext, url: string, before?: () => Promise<void>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await before?.();
    const page = await context.newPage();
    const t0 = performance.now();
    await page.goto(url);
    await page.waitForFunction(`document.querySelector('main h1') !== null && !document.body.innerText.includes('Loading')`, undefined, {
      timeout: 60_000,
      polling: 'raf',
    });
    times.push(performance.now() - t0);
    await page.close();
  }
  return times;
}

ensureWebBuilt();
const loadBefore = loadavg()
  .map((l) => l.toFixed(2))
  .join(', ');
const s = await startDemoService(new Date().toISOString(), ['planner', 'sales', 'floor']);
const browser = await launchChromium();
const rows: string[] = [];
try {
  await setupPlant(s.db, PLANT);
  const t0 = performance.now();
  await seedOrders(s.db, PLANT, ORDERS);
  console.log(`seeded ${ORDERS} open orders in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // The seed plans every release at its own (wall-clock) now: the service's clock moves past it, so all are due.
  s.clock.set(new Date(Date.now() + 60_000));
  const board = await s.call<{ items: unknown[] }>('planner', 'GET', `/v1/plants/${PLANT}/buffer-board`);
  console.log(`board: ${board.items.length} cards`);
  const contexts: Partial<Record<string, BrowserContext>> = {};
  // Released one by one before the after-write loads (released orders stay on the board).
  const toRelease = (await s.call<{ items: { orderId: string }[] }>('planner', 'GET', `/v1/plants/${PLANT}/release-list?limit=100`)).items;
  const releaseOne = async () => {
    const next = toRelease.shift();
    if (next) await s.call('planner', 'POST', `/v1/plants/${PLANT}/orders/${next.orderId}/release`, {});
  };
  for (const [role, screen, afterWrite] of SCREENS) {
    let context = contexts[role];
    if (!context) {
      // bypassCSP: the measuring probe (waitForFunction) evaluates in the page, which the app's CSP forbids.
      context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
      const page = await context.newPage();
      await page.goto(`${s.url}/app/`);
      await signIn(page, s.keys[role], PLANT);
      await page.close();
      contexts[role] = context;
    }
    const times = await loadTimes(context, `${s.url}/app/#/${screen}`, afterWrite ? releaseOne : undefined);
    const page = await context.newPage();
    await page.goto(`${s.url}/app/#/${screen}`);
    await page.waitForFunction(`!document.body.innerText.includes('Loading')`);
    const rendered = await page.evaluate(`document.querySelectorAll('[role=listitem], tr').length`);
    await page.close();
    const row = `| ${screen} (${role})${afterWrite ? ', first load after a write' : ''} | ${median(times).toFixed(0)} | ${Math.max(...times).toFixed(0)} | ${String(rendered)} |`;
    console.log(row);
    rows.push(row);
  }
} finally {
  await browser.close();
  await s.close();
}

const m = machineInfo();
const section = [
  '',
  `## Web board load time (issue 17; \`npm run bench:web\`)`,
  '',
  `Measured ${m.date}, ${m.nproc} CPUs (${m.cpu}), ${m.memoryGb} GB, Node ${m.node}, commit ${m.commit}; chromium headless at 1280×800 on the same machine as the service (embedded database).`,
  `Load average before and after: ${loadBefore} → ${loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')} (the machine is shared: figures include waiting for the CPU).`,
  `${ORDERS} open orders, all due for release (the board and the release list hold every one). Time from navigation to the screen's data on the page, ms, ${RUNS} loads each; "rows in the DOM" is what the virtualised lists render.`,
  '',
  '| screen | median ms | max ms | rows in the DOM |',
  '| --- | ---: | ---: | ---: |',
  ...rows,
  '',
];
if (quick) console.log(section.join('\n'));
else appendFileSync(fileURLToPath(new URL('RESULTS.md', import.meta.url)), section.join('\n'));
