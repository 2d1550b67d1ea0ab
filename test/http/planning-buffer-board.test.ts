import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { client, databaseKinds } from '../helpers/planning.ts';

// PB 4 working days; the drum works 06:00–22:00 Mon–Fri (960 minutes a day), Berlin is UTC+1.
// Z is promised for Friday 11-27: due at Saturday 00:00, its buffer is Tue–Fri = 3840 working
// minutes, and penetration = (3840 − working minutes left) / 3840 × 100.
describe.each(databaseKinds())('the buffer board on %s', (kind) => {
  let t: TestApp;
  const c = client(() => t);
  let z: { id: string };
  let w: { id: string };
  let v: { id: string };
  beforeAll(async () => {
    t = await buildTestApp({ now: '2026-11-23T08:00:00Z', kind });
    await seedPlant(t);
    z = await c.order({ quantity: 1, promiseDate: '2026-11-27' });
    w = await c.order({ quantity: 1, promiseDate: '2026-12-04' });
    v = await c.order({ quantity: 1, promiseDate: '2026-12-04' }); // never released: not on the board
    for (const o of [z, w]) expect((await c.call('POST', `orders/${o.id}/release`, 'planner')).statusCode).toBe(200);
  });
  afterAll(async () => t.close());

  const boardAt = async (instant: string) => {
    t.clock.set(instant);
    const res = await c.call('GET', 'buffer-board', 'erp');
    expect(res.statusCode).toBe(200);
    return res.json() as {
      counts: Record<string, number>;
      items: { orderId: string; priority: number; penetration: number; zone: string; leftMinutes: number; bufferMinutes: number }[];
    };
  };
  const zOn = (b: Awaited<ReturnType<typeof boardAt>>) => b.items.find((i) => i.orderId === z.id)!;

  it.each([
    ['Monday 09:00, more than the buffer left', '2026-11-23T08:00:00Z', 4620, 0, 'green'],
    ['Wednesday 06:00', '2026-11-25T05:00:00Z', 2880, 25, 'green'],
    ['Wednesday 22:00', '2026-11-25T21:00:00Z', 1920, 50, 'yellow'],
    ['Thursday 14:00', '2026-11-26T13:00:00Z', 1440, 62.5, 'yellow'],
    ['Thursday 22:00', '2026-11-26T21:00:00Z', 960, 75, 'red'],
    ['Friday 23:00, no working time left but not yet due', '2026-11-27T22:00:00Z', 0, 100, 'red'],
    ['Monday after, 08:00: past due', '2026-11-30T07:00:00Z', -120, 103.13, 'black'],
  ])('%s: the zone follows (PB − left) / PB', async (_name, instant, left, percent, zone) => {
    const item = zOn(await boardAt(instant));
    expect(item).toMatchObject({ bufferMinutes: 3840, leftMinutes: left, penetration: percent, zone });
  });

  it('lists released orders only, highest penetration first, with counts per zone', async () => {
    const board = await boardAt('2026-11-26T21:00:00Z');
    expect(board.items.map((i) => [i.orderId, i.priority, i.zone])).toEqual([
      [z.id, 1, 'red'],
      [w.id, 2, 'green'],
    ]);
    expect(board.items.map((i) => i.orderId)).not.toContain(v.id);
    expect(board.counts).toEqual({ green: 1, yellow: 0, red: 1, black: 0 });
    expect((await c.call('GET', 'buffer-board', 'sales')).statusCode).toBe(403);
  });

  it('pages in rank order on request, with counts and total over the whole board', async () => {
    t.clock.set('2026-11-26T21:00:00Z');
    const page = async (query: string) => {
      const res = await c.call('GET', `buffer-board?${query}`, 'floor');
      expect(res.statusCode).toBe(200);
      return res.json() as {
        counts: Record<string, number>;
        total: number;
        nextOffset: number | null;
        items: { orderId: string; priority: number }[];
      };
    };
    const whole = await page('');
    expect(whole).toMatchObject({ total: 2, nextOffset: null });
    const first = await page('limit=1');
    expect(first.items.map((i) => [i.orderId, i.priority])).toEqual([[z.id, 1]]);
    expect(first).toMatchObject({ total: 2, nextOffset: 1, counts: { green: 1, yellow: 0, red: 1, black: 0 } });
    const second = await page(`limit=1&offset=${first.nextOffset}`);
    expect(second.items.map((i) => [i.orderId, i.priority])).toEqual([[w.id, 2]]);
    expect(second).toMatchObject({ total: 2, nextOffset: null, counts: whole.counts });
    expect(await page('limit=5&offset=7')).toMatchObject({ total: 2, nextOffset: null, items: [] });
    for (const bad of ['limit=0', 'limit=1001', 'offset=-1', 'limit=x', 'cursor=1'])
      expect((await c.call('GET', `buffer-board?${bad}`, 'floor')).statusCode, bad).toBe(400);
  });

  it('shows a release on the next read (the rows are kept per schedule version)', async () => {
    t.clock.set('2026-11-23T08:00:00Z');
    // A plant of its own: the other tests count this plant's cards.
    await seedPlant(t, 'board-release');
    const own = client(() => t, 'board-release');
    const before = (await own.call('GET', 'buffer-board', 'floor')).json() as { total: number; scheduleVersion: number };
    const u = await own.order({ quantity: 1, promiseDate: '2026-12-04' });
    const dueOnly = (await own.call('GET', 'buffer-board?scope=in-work', 'floor')).json() as { total: number };
    expect((await own.call('POST', `orders/${u.id}/release`, 'planner')).statusCode).toBe(200);
    expect((await own.call('GET', 'buffer-board?scope=in-work', 'floor')).json()).toMatchObject({ total: dueOnly.total + 1 });
    const after = (await own.call('GET', 'buffer-board', 'floor')).json() as {
      total: number;
      scheduleVersion: number;
      items: { orderId: string }[];
    };
    expect(after.scheduleVersion).toBeGreaterThan(before.scheduleVersion);
    expect(after.total).toBe(before.total + 1);
    expect(after.items.map((i) => i.orderId)).toContain(u.id);
  });
});
