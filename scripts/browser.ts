import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

// What the browser tests, the screenshot script and the web bench share: a current build of the
// web app, Debian's chromium headless, and signing in through the form.

const root = fileURLToPath(new URL('..', import.meta.url));
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    newest = Math.max(newest, s.isDirectory() ? newestMtime(p) : s.mtimeMs);
  }
  return newest;
}

/** Builds web/dist when it is missing or older than its sources. */
export function ensureWebBuilt(): void {
  const index = join(root, 'web/dist/index.html');
  const sources = Math.max(newestMtime(join(root, 'web/src')), statSync(join(root, 'web/index.html')).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', 'web', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
}

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });

/** Signs in through the form, waits for the shell and picks the plant. */
export async function signIn(page: Page, key: string, plant?: string): Promise<void> {
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  if (plant) {
    const picker = page.getByLabel('Plant');
    await picker.waitFor();
    await picker.selectOption(plant);
  }
}

/** Goes to a screen by its hash route. */
export async function go(page: Page, screen: string): Promise<void> {
  await page.evaluate(`window.location.hash = '#/${screen}'`);
}
