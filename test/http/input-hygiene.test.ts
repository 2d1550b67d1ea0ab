import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOpenApiJson } from '../../src/http/openapi-document.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { aPlant, seedPlant } from '../helpers/builders.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
  await seedPlant(t);
});
afterAll(async () => t.close());

const fieldsOf = (res: { statusCode: number; headers: Record<string, unknown>; json(): any }) => {
  expect(res.statusCode).toBe(400);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body.type).toBe('https://drumbeat.dev/problems/validation-error');
  return body.errors.map((e: { field: string }) => e.field);
};

describe('strings with NUL or unpaired surrogates are a 400 naming the field', () => {
  it('a NUL in a body field', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/plants',
      headers: t.as('admin'),
      payload: aPlant({ id: 'p-nul', name: 'a\u0000b' }),
    });
    expect(fieldsOf(res)).toEqual(['body.name']);
  });

  it('an unpaired surrogate in a body field (high and low halves alike)', async () => {
    for (const customer of ['ACME \ud800', '\udc00 GmbH']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/plants/plant-1/holds',
        headers: t.as('sales'),
        payload: { sku: 'P1', quantity: 1, customer },
      });
      expect(fieldsOf(res)).toEqual(['body.customer']);
    }
  });

  it('a surrogate pair (an emoji) is fine', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/plants',
      headers: t.as('admin'),
      payload: aPlant({ id: 'p-emoji', name: 'Valves 😀' }),
    });
    expect(res.statusCode).toBe(201);
  });

  it('a NUL in a nested body field', async () => {
    const res = await t.app.inject({
      method: 'PUT',
      url: '/v1/plants/plant-1/resources/saw',
      headers: t.as('admin'),
      payload: { name: 'Saw', calendar: { weekly: [], exceptions: [{ kind: 'holiday', date: '2026-12-25', note: 'x\u0000' }] } },
    });
    expect(fieldsOf(res)).toEqual(['body.calendar.exceptions[0].note']);
  });

  it('a NUL in a query parameter', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/plants/plant-1/orders?customer=AC%00ME', headers: t.as('planner') });
    expect(fieldsOf(res)).toEqual(['querystring.customer']);
  });

  it('a NUL in a path parameter', async () => {
    const res = await t.app.inject({ method: 'DELETE', url: '/v1/api-keys/key_%00', headers: t.as('admin') });
    expect(fieldsOf(res)).toEqual(['params.id']);
  });

  it('a NUL in the external id path parameter', async () => {
    const res = await t.app.inject({
      method: 'PUT',
      url: '/v1/plants/plant-1/orders/by-external-id/SO%00-1',
      headers: t.as('erp'),
      payload: { sku: 'P1', quantity: 1, promiseDate: '2026-12-18', customer: 'ACME' },
    });
    expect(fieldsOf(res)).toEqual(['params.externalId']);
  });

  it('a NUL in the Idempotency-Key header', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/plants/plant-1/holds',
      headers: { ...t.as('sales'), 'idempotency-key': 'k\ud800' },
      payload: { sku: 'P1', quantity: 1 },
    });
    expect(fieldsOf(res)).toEqual(['headers.idempotency-key']);
  });
});

describe('the OpenAPI document states the rule', () => {
  it('every string a request carries (parameters and bodies) has a pattern or an enum', async () => {
    const doc = JSON.parse(await generateOpenApiJson());
    const loose: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${where}[${i}]`));
      if (!node || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      const types = Array.isArray(n.type) ? n.type : [n.type];
      if (types.includes('string') && n.pattern === undefined && n.enum === undefined && n.const === undefined) loose.push(where);
      for (const [k, v] of Object.entries(n)) if (k !== 'example' && k !== 'examples') walk(v, `${where}.${k}`);
    };
    for (const [path, ops] of Object.entries<Record<string, { parameters?: unknown; requestBody?: unknown }>>(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        walk(op.parameters, `${method} ${path} parameters`);
        walk(op.requestBody, `${method} ${path} body`);
      }
    }
    expect(loose).toEqual([]);
  });
});
