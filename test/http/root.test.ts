import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';

describe('GET /', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.close());

  it('points a newcomer, without a key, to the docs and the contract, and both answer', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const links = res.json();
    expect(links).toMatchObject({ docs: '/docs', openapi: '/openapi.json' });
    const doc = await t.app.inject({ method: 'GET', url: links.openapi });
    expect(doc.statusCode).toBe(200);
    expect(doc.json().openapi).toBe('3.1.0');
    const docs = await t.app.inject({ method: 'GET', url: links.docs });
    expect(docs.statusCode).toBeLessThan(400);
    expect(docs.statusCode).not.toBe(404);
  });
});
