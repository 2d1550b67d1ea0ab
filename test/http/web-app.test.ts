import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/http/app.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';

const APP_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const INDEX = '<!doctype html><title>Drumbeat</title><script type="module" src="/app/assets/main-abc123.js"></script>';

// A stand-in for web/dist, so these tests do not depend on the real build.
let dist: string;
let t: TestApp;
let notBuilt: App;
beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'drumbeat-web-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), INDEX);
  writeFileSync(join(dist, 'assets', 'main-abc123.js'), 'console.log("board");');
  writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(dist, '.secret'), 'no');
  writeFileSync(join(dist, 'assets', '.secret.js'), 'no');
  t = await buildTestApp({ build: { webDistDir: dist } });
  notBuilt = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 1000 }, { webDistDir: join(dist, 'missing') });
  await notBuilt.ready();
});
afterAll(async () => {
  await notBuilt?.close();
  await t.close();
  rmSync(dist, { recursive: true, force: true });
});

const get = (url: string, app: App = t.app) => app.inject({ method: 'GET', url });

describe('the web app is served at /app', () => {
  it('answers /app and /app/ with index.html under the app policy, revalidated on every load', async () => {
    for (const url of ['/app', '/app/']) {
      const res = await get(url);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toBe(INDEX);
      expect(res.headers['content-security-policy']).toBe(APP_CSP);
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['cache-control']).toBe('no-cache');
    }
  });

  it('serves the built files, the hashed assets cached for good', async () => {
    const js = await get('/app/assets/main-abc123.js');
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.body).toBe('console.log("board");');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['content-security-policy']).toBe(APP_CSP);
    const icon = await get('/app/favicon.svg');
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('answers index.html for a screen of the app (no file extension), 404 for a missing file', async () => {
    const screen = await get('/app/board/plant-1');
    expect(screen.statusCode).toBe(200);
    expect(screen.body).toBe(INDEX);
    expect((await get('/app/assets/missing.js')).statusCode).toBe(404);
    expect((await get('/app/.secret')).body).not.toBe('no');
    expect((await get('/app/assets/.secret.js')).statusCode).toBe(404);
    expect((await get('/app/..%2f..%2fpackage.json')).statusCode).toBeGreaterThanOrEqual(400);
    expect((await get('/app/../package.json')).body).not.toContain('"name": "drumbeat"');
  });

  it('leaves the API its own deny-all policy', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/plants', headers: t.as('admin') });
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it('answers 503 with how to build when the app is not built', async () => {
    for (const url of ['/app', '/app/', '/app/board']) {
      const res = await get(url, notBuilt);
      expect(res.statusCode).toBe(503);
      expect(res.body).toContain('the web app is not built: npm run build:web');
    }
  });

  it('keeps /app out of the API document', async () => {
    const doc = (await get('/openapi.json')).json();
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/app'))).toEqual([]);
  });
});
