import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium, startBoard, type Board } from './harness.ts';

// The API docs page under its Content-Security-Policy in a real browser: it renders the API's
// operations, and the browser refuses nothing (Chromium logs each refusal as a console error).

(haveChromium ? describe : describe.skip)('the API docs page in a real browser', () => {
  let b: Board;
  beforeAll(async () => {
    b = await startBoard('docs');
  }, 120_000);
  afterAll(async () => b?.close());

  it('renders the operations with nothing refused by its CSP, nothing failed and nothing fetched from another origin', async () => {
    const context = await b.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const refused: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) refused.push(m.text());
    });
    const otherOrigins: string[] = [];
    const failed: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(`${b.url}/`) && !r.url().startsWith('data:')) otherOrigins.push(r.url());
    });
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    const res = await page.goto(`${b.url}/docs/`);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self' 'sha256-");
    // An operation's summary: the inline start script ran, the bundle loaded and fetched the document.
    await page.getByText('The database is reachable and migrations are applied').first().waitFor({ timeout: 30_000 });
    await page.getByRole('heading', { name: 'Drumbeat API' }).first().waitFor();
    expect(refused).toEqual([]);
    expect(otherOrigins).toEqual([]);
    expect(failed).toEqual([]);
    await context.close();
  }, 60_000);
});
