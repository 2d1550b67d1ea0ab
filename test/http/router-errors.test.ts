import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { aPlant } from '../helpers/builders.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
  await t.app.inject({ method: 'POST', url: '/v1/plants', headers: t.as('admin'), payload: aPlant({ id: 'p1' }) });
});
afterAll(async () => t.close());

const problemOf = (res: { statusCode: number; headers: Record<string, unknown>; body: string }) => {
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(res.body) as { type: string; title: string; status: number; detail: string };
  expect(body).toEqual(expect.objectContaining({ title: expect.any(String), detail: expect.any(String), status: res.statusCode }));
  return body;
};

describe('errors the router raises are problem+json', () => {
  it.each(['/v1/plants/%zz', '/v1/plants/%E0%A4%A', '/v1/plants/%ED%A0%80/orders'])(
    'a malformed percent-encoding (%s) is a 400',
    async (url) => {
      const res = await t.app.inject({ method: 'GET', url, headers: t.as('planner') });
      expect(res.statusCode).toBe(400);
      expect(problemOf(res).type).toBe('https://drumbeat.dev/problems/validation-error');
      expect(res.headers['x-request-id']).toBeDefined();
    },
  );

  it('a path parameter up to 200 characters reaches validation, which names it', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/plants/${'a'.repeat(150)}`, headers: t.as('admin') });
    expect(res.statusCode).toBe(400);
    expect(problemOf(res).detail).toContain('params.plant');
  });

  it('an external id of 200 characters, which the schema accepts, is routed', async () => {
    const res = await t.app.inject({
      method: 'PUT',
      url: `/v1/plants/p1/orders/by-external-id/${'E'.repeat(200)}`,
      headers: t.as('erp'),
      payload: { nonsense: true },
    });
    expect(res.statusCode).toBe(400);
    expect(problemOf(res).detail).not.toContain('params');
  });

  it('a path parameter over 200 characters is a 414 that does not echo it in the detail', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/plants/p1/orders/${'x'.repeat(5_000)}`, headers: t.as('planner') });
    expect(res.statusCode).toBe(414);
    const body = problemOf(res);
    expect(body.type).toBe('https://drumbeat.dev/problems/uri-too-long');
    expect(body.detail.length).toBeLessThan(200);
  });

  it('an unknown route is a 404 problem, also for HEAD (without a body)', async () => {
    const get = await t.app.inject({ method: 'GET', url: '/v1/nothing' });
    expect(get.statusCode).toBe(404);
    expect(problemOf(get).type).toBe('https://drumbeat.dev/problems/not-found');
    const head = await t.app.inject({ method: 'HEAD', url: '/v1/nothing' });
    expect(head.statusCode).toBe(404);
    expect(head.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(head.body).toBe('');
  });

  it('a known path with another method is a 405 listing the allowed methods', async () => {
    const res = await t.app.inject({ method: 'DELETE', url: '/v1/plants/p1/orders', headers: t.as('planner') });
    expect(res.statusCode).toBe(405);
    expect(problemOf(res).type).toBe('https://drumbeat.dev/problems/method-not-allowed');
    expect(res.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
  });

  it('OPTIONS on a known path answers 204 with Allow; on an unknown one 404', async () => {
    const known = await t.app.inject({ method: 'OPTIONS', url: '/v1/plants/p1/holds/0b7e2d4e-3c1a-4d7e-9a53-2f0e9d1f6a11' });
    expect(known.statusCode).toBe(204);
    expect(known.headers.allow).toBe('DELETE, OPTIONS');
    const unknown = await t.app.inject({ method: 'OPTIONS', url: '/v1/nothing' });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('requests Node cannot parse get problem+json before the socket closes', () => {
  let port = 0;
  beforeAll(async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as { port: number }).port;
  });

  const raw = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(text));
      let data = '';
      socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });

  it('a malformed header line is a 400', async () => {
    const answer = await raw('GET /healthz HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(answer.split('\r\n\r\n')[1]!)).toMatchObject({ type: 'https://drumbeat.dev/problems/validation-error', status: 400 });
  });

  it('headers over the size limit are a 431', async () => {
    const answer = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(answer.split('\r\n\r\n')[1]!)).toMatchObject({
      type: 'https://drumbeat.dev/problems/header-fields-too-large',
      status: 431,
    });
  });
});
