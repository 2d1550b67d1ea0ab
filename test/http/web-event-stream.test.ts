import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/domain/api-keys.ts';
import { buildApp, newScheduleWriter, type App } from '../../src/http/app.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { databaseKinds } from '../helpers/planning.ts';
import { openStream } from '../helpers/sse.ts';

describe.each(databaseKinds())('the live event stream on %s', (kind) => {
  let t: TestApp;
  /** A second service process on the same database: commits there must reach streams here. */
  let other: App;
  let base: string;
  const streamUrl = (plant = 'plant-1', query = '') => `${base}/v1/plants/${plant}/events/stream${query}`;
  const order = async (app: App, headers: Record<string, string>, quantity = 1) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/plants/plant-1/orders',
      headers,
      payload: { sku: 'P1', quantity, customer: 'ACME', promiseDate: '2026-12-18' },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };

  beforeAll(async () => {
    t = await buildTestApp({ kind });
    await seedPlant(t, 'plant-1');
    other = await buildApp(
      {
        db: t.db.db,
        clock: t.clock,
        maxOrderQuantity: 1000,
        listen: t.db.listen,
        writer: newScheduleWriter({ db: t.db.db, clock: t.clock, listen: t.db.listen }),
      },
      {},
    );
    await other.ready();
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await other?.close();
    await t.close();
  });

  it('pushes an event committed in another process after connecting, and nothing from before', async () => {
    const before = await order(t.app, t.as('planner'));
    const stream = await openStream(streamUrl(), t.as('planner'));
    try {
      expect(stream.res.status).toBe(200);
      expect(stream.res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      const id = await order(other, t.as('planner'));
      const m = await stream.until((x) => x.data.orderId === id);
      expect(m.event).toBe(m.data.type);
      expect(m.id).toBe(String(m.data.seq));
      expect(stream.messages.some((x) => x.data.orderId === before)).toBe(false);
    } finally {
      stream.close();
    }
  });

  it('resumes after Last-Event-ID without missing an event', async () => {
    const id = await order(t.app, t.as('planner'));
    const events = (await t.app.inject({ method: 'GET', url: '/v1/plants/plant-1/events?limit=1000', headers: t.as('planner') })).json()
      .items;
    const first = events.find((e: { orderId: string | null }) => e.orderId === id);
    const stream = await openStream(streamUrl(), { ...t.as('planner'), 'last-event-id': String(first.seq - 1) });
    try {
      const m = await stream.until((x) => x.data.orderId === id);
      expect(m.data.seq).toBe(first.seq);
      expect(stream.messages[0]!.data.seq).toBe(first.seq);
    } finally {
      stream.close();
    }
    const bad = await t.app.inject({
      method: 'GET',
      url: '/v1/plants/plant-1/events/stream',
      headers: { ...t.as('planner'), 'last-event-id': 'x' },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('shows a salesperson only its own orders’ events', async () => {
    const rival = await createApiKey(t.db.db, { name: 'rival', role: 'sales', plantIds: null, principal: 'rival.seller' });
    const stream = await openStream(streamUrl(), t.as('sales'));
    try {
      const theirs = await order(other, { authorization: `Bearer ${rival.key}` });
      const mine = await order(other, t.as('sales'));
      await stream.until((x) => x.data.orderId === mine);
      expect(stream.messages.every((x) => x.data.orderId === mine)).toBe(true);
      expect(stream.messages.some((x) => x.data.orderId === theirs)).toBe(false);
    } finally {
      stream.close();
    }
  });

  it('authenticates an EventSource by the session cookie', async () => {
    const session = await t.app.inject({ method: 'POST', url: '/app/session', payload: { apiKey: t.keys.floor } });
    const cookie = String(session.headers['set-cookie']).split(';')[0]!;
    const stream = await openStream(streamUrl(), { cookie });
    try {
      expect(stream.res.status).toBe(200);
      const id = await order(other, t.as('planner'));
      await stream.until((x) => x.data.orderId === id);
    } finally {
      stream.close();
    }
  });

  it('refuses unknown plants, other roles’ plants, callers without a key, and a sixth stream of one key', async () => {
    expect((await fetch(streamUrl('nowhere'), { headers: t.as('planner') })).status).toBe(404);
    expect((await fetch(streamUrl())).status).toBe(401);
    expect((await fetch(streamUrl(), { method: 'HEAD', headers: t.as('planner') })).status).toBe(405);
    const limited = await createApiKey(t.db.db, { name: 'p2 only', role: 'floor', plantIds: ['plant-2'] });
    expect((await fetch(streamUrl(), { headers: { authorization: `Bearer ${limited.key}` } })).status).toBe(403);
    const key = await createApiKey(t.db.db, { name: 'many tabs', role: 'floor', plantIds: null });
    const headers = { authorization: `Bearer ${key.key}` };
    const streams = [];
    for (let i = 0; i < 5; i++) streams.push(await openStream(streamUrl(), headers));
    try {
      expect(streams.map((s) => s.res.status)).toEqual([200, 200, 200, 200, 200]);
      const sixth = await fetch(streamUrl(), { headers });
      expect(sixth.status).toBe(429);
      expect((await sixth.json()).type).toBe('https://drumbeat.dev/problems/rate-limited');
    } finally {
      for (const s of streams) s.close();
    }
  });

  it('ends a stream when its API key is revoked', async () => {
    const key = await createApiKey(t.db.db, { name: 'leaving', role: 'floor', plantIds: null });
    const stream = await openStream(streamUrl(), { authorization: `Bearer ${key.key}` });
    expect(stream.res.status).toBe(200);
    const revoke = await other.inject({ method: 'DELETE', url: `/v1/api-keys/${key.id}`, headers: t.as('admin') });
    expect(revoke.statusCode).toBe(204);
    expect(await stream.ended()).toBe(true);
  });

  it('ends open streams when the server shuts down, so closing does not hang', async () => {
    const app = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 1000, listen: t.db.listen }, {});
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const stream = await openStream(`${url}/v1/plants/plant-1/events/stream`, t.as('erp'));
    expect(stream.res.status).toBe(200);
    await app.close();
    expect(await stream.ended()).toBe(true);
  });
});
