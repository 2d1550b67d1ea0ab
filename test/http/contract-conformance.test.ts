import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/domain/api-keys.ts';
import { fixedClock } from '../../src/domain/clock.ts';
import { buildApp } from '../../src/http/app.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';

// Real responses validated against the committed contract (issue 16 item 1), found by a review:
// each test is a way the server once answered other than the document said.
const doc = JSON.parse(readFileSync('openapi/openapi.json', 'utf8'));
const ajv = new (Ajv2020 as any)({ strict: false, allErrors: true });
(addFormats as any)(ajv);
ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');

const typedByType: Record<string, string> = Object.fromEntries(
  Object.entries(doc.components.schemas as Record<string, any>)
    .filter(([, v]) => v.properties?.type?.const)
    .map(([k, v]) => [v.properties.type.const, k]),
);

const templates = Object.keys(doc.paths).map((p) => ({
  p,
  re: new RegExp('^' + p.replace(/\{[^}]+\}/g, '[^/]+') + '$'),
}));

const sortKeys = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(sortKeys)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, sortKeys((v as any)[k])]),
        )
      : v;

type Res = { statusCode: number; headers: Record<string, unknown>; body: string; json(): any };

/** Mismatches between a real response and the contract. */
function mismatches(method: string, url: string, res: Res): string[] {
  const path = url.split('?')[0]!;
  const t = templates.find((x) => x.re.test(path));
  if (!t) return [`no path for ${path}`];
  const op = doc.paths[t.p][method.toLowerCase()];
  if (!op) return [`no ${method} for ${t.p}`];
  const r = op.responses[String(res.statusCode)] ?? op.responses.default;
  if (!r) return [`${method} ${t.p}: status ${res.statusCode} not declared (declared ${Object.keys(op.responses).join(', ')})`];
  const out: string[] = [];
  const ct = (typeof res.headers['content-type'] === 'string' ? res.headers['content-type'] : '').split(';')[0]!;
  if (!r.content) {
    if (res.body.length > 0 || ct) out.push(`${res.statusCode}: undeclared body/content-type ${ct} ${res.body.length}`);
  } else {
    const media = r.content[ct];
    if (!media) out.push(`${res.statusCode}: content-type ${ct} not declared (${Object.keys(r.content).join(', ')})`);
    else {
      const schema = JSON.parse(JSON.stringify(media.schema).replaceAll('"#/components', '"doc#/components'));
      const v = ajv.compile(schema);
      if (!v(res.json())) out.push(`${res.statusCode} body: ${ajv.errorsText(v.errors)}`);
      // A problem whose type has a named schema must match that schema (typed clients narrow on `type`).
      const named = typedByType[res.json()?.type];
      if (ct === 'application/problem+json' && named) {
        const vn = ajv.getSchema(`doc#/components/schemas/${named}`)!;
        if (!vn(res.json())) out.push(`${res.statusCode} ${named}: ${ajv.errorsText(vn.errors)} in ${res.body.slice(0, 400)}`);
      }
    }
  }
  const declared = Object.keys(r.headers ?? {}).map((h) => h.toLowerCase());
  for (const h of ['etag', 'idempotent-replayed', 'retry-after', 'x-request-id', 'x-ratelimit-limit'])
    if (res.headers[h] !== undefined && !declared.includes(h)) out.push(`${res.statusCode}: header ${h} sent but not declared`);
  return out;
}

describe('real responses against openapi/openapi.json', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
    await seedPlant(t, 'c1', { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 });
  });
  afterAll(async () => t.close());

  const call = async (method: any, url: string, role: any, payload?: unknown, headers: Record<string, string> = {}) => {
    const res = await t.app.inject({
      method,
      url,
      headers: { ...(role ? t.as(role) : {}), ...headers },
      ...(payload === undefined ? {} : typeof payload === 'string' ? { payload } : { payload: payload as object }),
    });
    return { res, bad: mismatches(method, url, res as unknown as Res) };
  };

  it('a sample of operations, happy and error paths', async () => {
    const all: string[] = [];
    const note = (what: string, x: { res: { statusCode: number }; bad: string[] }) => (
      process.env.REVIEW_DEBUG ? console.log('DBG', what, x.res.statusCode, (x.res as any).headers['content-type']) : 0,
      x.bad.forEach((b) => all.push(`${what} [${x.res.statusCode}]: ${b}`))
    );
    const order = { sku: 'P1', quantity: 2, promiseDate: '2027-03-01', customer: 'acme' };
    const key = { 'idempotency-key': 'k1' };
    note('create', await call('POST', '/v1/plants/c1/orders', 'sales', order, key));
    note('create replay', await call('POST', '/v1/plants/c1/orders', 'sales', order, key));
    note('create reused key', await call('POST', '/v1/plants/c1/orders', 'sales', { ...order, quantity: 3 }, key));
    note(
      'create infeasible',
      await call('POST', '/v1/plants/c1/orders', 'sales', { ...order, quantity: 99_000, promiseDate: '2026-11-26' }),
    );
    note('create invalid', await call('POST', '/v1/plants/c1/orders', 'sales', { ...order, quantity: -1 }));
    note('create malformed', await call('POST', '/v1/plants/c1/orders', 'sales', '{"x', { 'content-type': 'application/json' }));
    note('create text', await call('POST', '/v1/plants/c1/orders', 'sales', 'x', { 'content-type': 'text/plain' }));
    note('create no auth', await call('POST', '/v1/plants/c1/orders', null, order));
    note('create wrong role', await call('POST', '/v1/plants/c1/orders', 'erp', order));
    note('create unknown plant', await call('POST', '/v1/plants/nope/orders', 'sales', order));
    note('push', await call('PUT', '/v1/plants/c1/orders/by-external-id/SO-1', 'erp', order));
    note('push same', await call('PUT', '/v1/plants/c1/orders/by-external-id/SO-1', 'erp', order));
    note('by ext', await call('GET', '/v1/plants/c1/orders/by-external-id/SO-1', 'erp'));
    note('by ext 404', await call('GET', '/v1/plants/c1/orders/by-external-id/SO-2', 'erp'));
    const sched = await call('GET', '/v1/plants/c1/schedule', 'planner');
    note('schedule', sched);
    const etag = String(sched.res.headers['etag'] ?? '');
    note('schedule 304', await call('GET', '/v1/plants/c1/schedule', 'planner', undefined, { 'if-none-match': etag }));
    note('list', await call('GET', '/v1/plants/c1/orders?limit=2', 'planner'));
    note('list bad cursor', await call('GET', '/v1/plants/c1/orders?cursor=zz', 'planner'));
    note('events', await call('GET', '/v1/plants/c1/events', 'erp'));
    note('quote', await call('POST', '/v1/plants/c1/quotes', 'sales', { sku: 'P1', quantity: 2, requestedDate: '2027-03-01' }));
    note('hold', await call('POST', '/v1/plants/c1/holds', 'sales', { sku: 'P1', quantity: 2 }));
    note('hold ttl', await call('POST', '/v1/plants/c1/holds', 'sales', { sku: 'P1', quantity: 2, ttlSeconds: 10_000_000 }));
    note('plants', await call('GET', '/v1/plants', 'admin'));
    note('plant', await call('GET', '/v1/plants/c1', 'admin'));
    expect(all).toEqual([]);
  });

  it('refusals of capacity changes and stale revisions match their named problem schemas', async () => {
    await seedPlant(t, 'c2', { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 });
    const all: string[] = [];
    const note = (what: string, x: { res: { statusCode: number; body: string }; bad: string[] }) =>
      (process.env.REVIEW_DEBUG ? console.log('DBG', what, x.res.statusCode, x.res.body.slice(0, 300)) : 0, x.bad).forEach((b) =>
        all.push(`${what} [${x.res.statusCode}]: ${b}`),
      );
    const big = await call('POST', '/v1/plants/c2/orders', 'sales', {
      sku: 'P1',
      quantity: 247,
      promiseDate: '2026-11-27',
      customer: 'big',
    });
    expect(big.res.statusCode).toBe(201);
    note(
      'downtime',
      await call('POST', '/v1/plants/c2/capacity-changes', 'planner', {
        resource: 'cnc',
        kind: 'downtime',
        date: '2026-11-24',
        reason: 'repair',
      }),
    );
    note(
      'downtime preview',
      await call('POST', '/v1/plants/c2/capacity-changes', 'planner', {
        resource: 'cnc',
        kind: 'downtime',
        date: '2026-11-24',
        reason: 'repair',
        preview: true,
      }),
    );
    note(
      'ranged',
      await call('POST', '/v1/plants/c2/capacity-changes', 'planner', {
        resource: 'cnc',
        kind: 'downtime',
        range: { from: '2026-11-24', to: '2026-11-26' },
        reason: 'repair',
      }),
    );
    note(
      'stale if-match',
      await call(
        'POST',
        '/v1/plants/c2/capacity-changes',
        'planner',
        { resource: 'cnc', kind: 'overtime', date: '2026-11-24', start: '22:00', end: '24:00', reason: 'x' },
        { 'if-match': '"999"' },
      ),
    );
    note(
      'too early',
      await call('POST', '/v1/plants/c2/orders', 'sales', { sku: 'P1', quantity: 1, promiseDate: '2026-11-24', customer: 'x' }),
    );
    note('quote far', await call('POST', '/v1/plants/c2/quotes', 'sales', { sku: 'P1', quantity: 99_999 }));
    note('hold big', await call('POST', '/v1/plants/c2/holds', 'sales', { sku: 'P1', quantity: 99_999 }));
    note('cancel twice 1', await call('POST', `/v1/plants/c2/orders/${big.res.json().id}/cancel`, 'planner', {}));
    note('cancel twice 2', await call('POST', `/v1/plants/c2/orders/${big.res.json().id}/cancel`, 'planner', {}));
    expect(all).toEqual([]);
  });

  it('resource reads and writes declare the ETag they send (If-Match needs it)', async () => {
    const all: string[] = [];
    const get = await call('GET', '/v1/plants/c1/resources/cnc', 'planner');
    expect(get.res.headers['etag']).toBeDefined();
    all.push(...get.bad.map((b) => `getResource: ${b}`));
    const body = get.res.json();
    const put = await call(
      'PUT',
      '/v1/plants/c1/resources/cnc',
      'admin',
      { name: body.name, drum: body.drum, calendar: body.calendar },
      { 'if-match': String(get.res.headers['etag']) },
    );
    all.push(...put.bad.map((b) => `putResource: ${b}`));
    expect(all).toEqual([]);
  });

  it('a replayed refusal (stored 409 answered again for the same Idempotency-Key) matches the contract', async () => {
    const key = { 'idempotency-key': 'refused-1' };
    const body = { sku: 'P1', quantity: 99_000, promiseDate: '2026-11-26', customer: 'x' };
    const first = await call('POST', '/v1/plants/c1/orders', 'sales', body, key);
    expect(first.res.statusCode).toBe(409);
    const again = await call('POST', '/v1/plants/c1/orders', 'sales', body, key);
    expect(again.res.statusCode).toBe(409);
    expect(again.res.headers['idempotent-replayed']).toBe('true');
    const all = [...again.bad];
    // The problem's requestId is documented as "also the X-Request-Id response header".
    if (again.res.json().requestId !== again.res.headers['x-request-id'])
      all.push(`body requestId ${again.res.json().requestId} != header ${String(again.res.headers['x-request-id'])}`);
    expect(all).toEqual([]);
  });

  it('bodies sent where the contract declares none get a declared status', async () => {
    const hold = await call('POST', '/v1/plants/c1/holds', 'sales', { sku: 'P1', quantity: 1 });
    expect(hold.res.statusCode).toBe(201);
    const id = hold.res.json().id;
    const all: string[] = [];
    const cases: [string, string, any, Record<string, string>][] = [
      ['DELETE', `/v1/plants/c1/holds/${id}`, 'x', { 'content-type': 'text/plain' }],
      ['DELETE', `/v1/plants/c1/holds/${id}`, '{"x', { 'content-type': 'application/json' }],
      ['DELETE', `/v1/plants/c1/holds/${id}`, 'x'.repeat(2_000_000), { 'content-type': 'application/json' }],
      ['GET', '/v1/plants/c1/schedule', '{"x', { 'content-type': 'application/json' }],
      ['DELETE', '/v1/api-keys/nope', 'x', { 'content-type': 'text/plain' }],
    ];
    for (const [method, url, payload, headers] of cases) {
      const r = await call(method, url, method === 'DELETE' && url.startsWith('/v1/api') ? 'admin' : 'sales', payload, headers);
      all.push(...r.bad.map((b) => `${method} ${url.slice(0, 40)} ${headers['content-type']} ${payload.length}: ${b}`));
    }
    expect(all).toEqual([]);
  });

  it('a ranged capacity change and its end answer as documented (body and ETag)', async () => {
    await seedPlant(t, 'c3', { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 });
    const all: string[] = [];
    const ranged = await call('POST', '/v1/plants/c3/capacity-changes', 'planner', {
      resource: 'cnc',
      kind: 'overtime',
      from: '2026-11-30',
      to: '2026-12-11',
      weekdays: [1, 2, 3, 4, 5],
      start: '22:00',
      end: '24:00',
      reason: 'winter backlog',
    });
    expect(ranged.res.statusCode).toBe(201);
    if (process.env.REVIEW_DEBUG)
      console.log('DAY', JSON.stringify(ranged.res.json().days?.[0]), JSON.stringify(ranged.res.json().change?.days?.[0]));
    all.push(...ranged.bad.map((b) => `createCapacityChange (ranged): ${b.slice(0, 200)}`));
    const id = ranged.res.json().change.id;
    const end = await call('POST', `/v1/plants/c3/capacity-changes/${id}/end`, 'planner', { from: '2026-12-07', reason: 'done' });
    expect(end.res.statusCode).toBe(200);
    all.push(...end.bad.map((b) => `endCapacityChange: ${b.slice(0, 200)}`));
    expect(all).toEqual([]);
  });

  it('an Idempotency-Key replay of a ranged capacity change returns the answer the first request got', async () => {
    await seedPlant(t, 'c4', { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 });
    const body = {
      resource: 'cnc',
      kind: 'overtime',
      from: '2026-11-30',
      to: '2026-12-04',
      weekdays: [1, 2, 3, 4, 5],
      start: '22:00',
      end: '24:00',
      reason: 'backlog',
    };
    const key = { 'idempotency-key': 'ranged-1' };
    const first = await call('POST', '/v1/plants/c4/capacity-changes', 'planner', body, key);
    expect(first.res.statusCode).toBe(201);
    const replay = await call('POST', '/v1/plants/c4/capacity-changes', 'planner', body, key);
    expect(replay.res.headers['idempotent-replayed']).toBe('true');
    expect(replay.res.statusCode).toBe(201);
    expect(replay.bad.map((b) => b.slice(0, 160))).toEqual([]);
    expect(replay.res.json()).toEqual(first.res.json());
  });

  it('If-None-Match as RFC 9110 defines it (weak comparison, a list) gets the 304', async () => {
    const first = await call('GET', '/v1/plants/c1/schedule', 'planner');
    const etag = String(first.res.headers['etag']);
    const statuses: Record<string, number> = {};
    for (const inm of [etag, `W/${etag}`, `"nope", ${etag}`])
      statuses[inm] = (await call('GET', '/v1/plants/c1/schedule', 'planner', undefined, { 'if-none-match': inm })).res.statusCode;
    expect(statuses).toEqual({ [etag]: 304, [`W/${etag}`]: 304, [`"nope", ${etag}`]: 304 });
  });

  it('Idempotency-Key replays of single-day capacity changes, holds and confirmations equal their first answers', async () => {
    await seedPlant(t, 'c5', { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 });
    const diffs: string[] = [];
    const twice = async (what: string, method: string, url: string, role: string, body: object, key: string) => {
      const first = await call(method, url, role, body, { 'idempotency-key': key });
      const again = await call(method, url, role, body, { 'idempotency-key': key });
      if (
        JSON.stringify(sortKeys(first.res.json())) !== JSON.stringify(sortKeys(again.res.json())) ||
        first.res.statusCode !== again.res.statusCode
      )
        diffs.push(
          `${what}: ${first.res.statusCode} ${first.res.body.slice(0, 150)} vs ${again.res.statusCode} ${again.res.body.slice(0, 150)}`,
        );
      return first.res;
    };
    await twice(
      'overtime',
      'POST',
      '/v1/plants/c5/capacity-changes',
      'planner',
      { resource: 'cnc', kind: 'overtime', date: '2026-11-25', start: '22:00', end: '24:00', reason: 'x' },
      'c5-ot',
    );
    const hold = await twice('hold', 'POST', '/v1/plants/c5/holds', 'sales', { sku: 'P1', quantity: 2 }, 'c5-h');
    await twice('confirm', 'POST', `/v1/plants/c5/holds/${hold.json().id}/confirm`, 'sales', { customer: 'x' }, 'c5-c');
    await twice(
      'order',
      'POST',
      '/v1/plants/c5/orders',
      'sales',
      { sku: 'P1', quantity: 2, promiseDate: '2027-01-05', customer: 'y' },
      'c5-o',
    );
    expect(diffs).toEqual([]);
  });

  it('a rate-limited request matches its declared 429', async () => {
    const app = await buildApp(
      { db: t.db.db, clock: fixedClock('2026-11-23T08:00:00Z'), maxOrderQuantity: 1000 },
      { rateLimits: { perKey: 1, windowMs: 60_000 } },
    );
    try {
      await app.ready();
      const k = (await createApiKey(t.db.db, { name: 'rl', role: 'planner', plantIds: null })).key;
      const all: string[] = [];
      for (const url of ['/v1/plants/c1/schedule', '/v1/plants/c1/schedule']) {
        const res = await app.inject({ url, headers: { authorization: `Bearer ${k}` } });
        all.push(...mismatches('GET', url, res as unknown as Res).map((m) => `${url} ${m}`));
      }
      expect(all).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
