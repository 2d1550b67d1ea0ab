import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/domain/api-keys.ts';
import { buildApp } from '../../src/http/app.ts';
import { capacityRequestPlant, SHORT_ASK } from '../helpers/capacity-request-plant.ts';
import { client, databaseKinds } from '../helpers/planning.ts';
import { openStream } from '../helpers/sse.ts';

// Capacity requests (issue 15 item 4) attacked as a salesperson, a planner, an ERP integrator and
// an attacker: the contract holds, nobody sees what is not theirs, bad input is a 4xx that writes
// nothing, and no request buys capacity it should not (a cancelled order, inside the lead time).

const doc = JSON.parse(readFileSync('openapi/openapi.json', 'utf8'));
const ajv = new (Ajv2020 as any)({ strict: false, allErrors: true });
(addFormats as any)(ajv);
ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');
const templates = Object.keys(doc.paths).map((p) => ({ p, re: new RegExp('^' + p.replace(/\{[^}]+\}/g, '[^/]+') + '$') }));

type Res = { statusCode: number; headers: Record<string, unknown>; body: string; json(): any };

/** Mismatches between a real answer and the committed contract (after contract-conformance.test.ts). */
function mismatches(method: string, url: string, res: Res): string[] {
  const t = templates.find((x) => x.re.test(url.split('?')[0]!));
  if (!t) return [`no path for ${url}`];
  const op = doc.paths[t.p][method.toLowerCase()];
  if (!op) return [`no ${method} for ${t.p}`];
  const r = op.responses[String(res.statusCode)] ?? op.responses.default;
  if (!r) return [`${method} ${t.p}: status ${res.statusCode} not declared`];
  const ct = (typeof res.headers['content-type'] === 'string' ? res.headers['content-type'] : '').split(';')[0]!;
  const media = r.content?.[ct];
  if (!media) return [`${method} ${t.p} ${res.statusCode}: content-type ${ct} not declared`];
  const v = ajv.compile(JSON.parse(JSON.stringify(media.schema).replaceAll('"#/components', '"doc#/components')));
  const out: string[] = [];
  if (!v(res.json())) out.push(`${method} ${t.p} ${res.statusCode}: ${ajv.errorsText(v.errors)}`);
  const declared = Object.keys(r.headers ?? {}).map((h) => h.toLowerCase());
  if (res.headers.etag !== undefined && !declared.includes('etag')) out.push(`${method} ${t.p} ${res.statusCode}: etag not declared`);
  return out;
}

const hasCost = (v: unknown) => /"(totalCost|cost|currency|costPerHour)"/.test(JSON.stringify(v));

// The plant of test/http/capacity-requests.test.ts (capacityRequestPlant): Monday 2026-11-23
// 09:00 Berlin, three Friday orders leave 100 units for Friday 160 drum minutes short.
describe.each(databaseKinds())(
  'capacity requests resist misuse: contract, ownership, costs, bad input, stale plans, dead orders, on %s',
  (kind) => {
    const { plant, bob, asBob, file } = capacityRequestPlant(kind, 'rev1');
    let c: ReturnType<typeof client>;
    /** Where the app listens, once a test needs a real socket (a live stream). */
    let base: string | undefined;
    beforeEach(() => {
      ({ c } = plant);
    });

    const ask = SHORT_ASK;
    const changes = async () => (await c.call('GET', 'capacity-changes', 'planner')).json().items as { id: string }[];
    const quote = async () => (await c.call('POST', 'quotes', 'planner', ask)).json();
    const feed = async (headers: { authorization: string }) =>
      (await plant.t.app.inject({ method: 'GET', url: `/v1/me/events?plant=${plant.plant}&limit=1000`, headers })).json();
    const noServerErrors = (res: { statusCode: number; body: string }) => expect(res.statusCode, res.body).toBeLessThan(500);

    // ---------------------------------------------------------------- the contract
    it('answers as openapi.json says: filing, reading, accepting, refusals, decline, withdraw, cancel with offers', async () => {
      const bad: string[] = [];
      const note = async (method: 'GET' | 'POST', url: string, role: 'sales' | 'planner' | 'admin', body?: object, h = {}) => {
        const full = url.startsWith('/') ? url : `${c.P}/${url}`;
        const res = await c.call(method, full, role, body, h);
        bad.push(...mismatches(method, full, res as unknown as Res));
        return res;
      };
      const hold = (await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 100 })).json();
      const filed = (await note('POST', 'capacity-requests', 'sales', { ...ask, orderId: hold.id }, { 'idempotency-key': 'k1' })).json();
      await note('POST', 'capacity-requests', 'sales', { ...ask, orderId: hold.id }, { 'idempotency-key': 'k1' });
      await note('POST', 'capacity-requests', 'sales', { ...ask, requestedDate: '2026-12-10' });
      await note('POST', 'capacity-requests', 'sales', { ...ask, requestedDate: '2026-11-24' });
      await note('POST', 'capacity-requests', 'sales', { ...ask, quantity: 'x' });
      await note('POST', 'capacity-requests', 'planner', ask);
      await note('GET', `capacity-requests/${filed.id}`, 'sales');
      await note('GET', `capacity-requests/${filed.id}`, 'planner');
      await note('GET', 'capacity-requests?status=open', 'admin');
      await note('GET', `capacity-requests/${crypto.randomUUID()}`, 'planner');
      await note('POST', `capacity-requests/${filed.id}/accept`, 'planner', {}, { 'if-match': '"999"' });
      await note('POST', `capacity-requests/${filed.id}/accept`, 'planner', {
        blocks: [{ resource: 'cnc', kind: 'overtime', date: '2026-11-24', start: '22:00', end: '23:00' }],
      });
      const accepted = await note('POST', `capacity-requests/${filed.id}/accept`, 'planner', {});
      expect(accepted.statusCode, accepted.body).toBe(200);
      await note('POST', `capacity-requests/${filed.id}/accept`, 'planner', {});
      const other = (await note('POST', 'capacity-requests', 'sales', { ...ask, requestedDate: '2026-11-30' })).json();
      await note('POST', `capacity-requests/${other.id}/decline`, 'planner', { reason: 'no' });
      const third = (await note('POST', 'capacity-requests', 'sales', { ...ask, requestedDate: '2026-11-30' })).json();
      await note('POST', `capacity-requests/${third.id}/withdraw`, 'sales');
      const cancelled = await note('POST', `orders/${hold.id}/cancel`, 'sales', {});
      expect(cancelled.json().offeredRevocations).toHaveLength(1);
      await note('GET', 'capacity-requests?status=bogus', 'planner');
      await note('POST', `capacity-requests/${third.id}/accept`, 'sales', {});
      await note('POST', `capacity-requests/${third.id}/decline`, 'planner', {});
      await note('POST', `capacity-requests/${third.id}/withdraw`, 'planner');
      // a planner cancelling a hold held from an accepted quote-based request: offers with lateOrders
      const q = (await c.call('POST', 'quotes', 'sales', { ...ask, requestedDate: '2026-11-26' })).json();
      const byQuote = await c.call('POST', 'capacity-requests', 'sales', { ...ask, requestedDate: '2026-11-26', quoteId: q.quoteId });
      if (byQuote.statusCode === 201) {
        await note('POST', `capacity-requests/${byQuote.json().id}/accept`, 'planner', {});
        const h2 = await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 100, promiseDate: '2026-11-26', quoteId: q.quoteId });
        if (h2.statusCode === 201) await note('POST', `orders/${h2.json().id}/cancel`, 'planner', {});
      }
      expect(bad).toEqual([]);
    });

    // ---------------------------------------------------------------- the salesperson: costs and others' requests
    it('a salesperson never sees a cost: list, get, own feed, the 409s of filing, the cancel offers', async () => {
      const hold = (await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 100 })).json();
      const filed = await file({ ...ask, orderId: hold.id });
      expect(hasCost(filed)).toBe(false);
      expect(hasCost((await c.call('GET', 'capacity-requests', 'sales')).json())).toBe(false);
      expect(hasCost((await c.call('GET', `capacity-requests/${filed.id}`, 'sales')).json())).toBe(false);
      const floor = await c.call('POST', 'capacity-requests', 'sales', { ...ask, requestedDate: '2026-11-24' });
      expect(hasCost(floor.json())).toBe(false);
      expect((await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {})).statusCode).toBe(200);
      expect(hasCost((await c.call('GET', `capacity-requests/${filed.id}`, 'sales')).json())).toBe(false);
      expect(hasCost(await feed(plant.t.as('sales')))).toBe(false);
      const cancelled = (await c.call('POST', `orders/${hold.id}/cancel`, 'sales', {})).json();
      expect(cancelled.offeredRevocations.length).toBe(1);
      expect(hasCost(cancelled)).toBe(false);
      // the planner does see them
      expect(hasCost((await c.call('GET', `capacity-requests/${filed.id}`, 'planner')).json())).toBe(true);
    });

    it("another salesperson's request: 404 on get, withdraw, and not in list or feed; idempotency keys do not cross principals", async () => {
      const mine = (
        await c.call('POST', 'capacity-requests', 'sales', { ...ask, note: 'ACME secret' }, { 'idempotency-key': 'same' })
      ).json();
      const bobs = await asBob('POST', 'capacity-requests', ask);
      // Bob with the same key files his own request, never gets mine back
      const bobSameKey = await plant.t.app.inject({
        method: 'POST',
        url: `${c.P}/capacity-requests`,
        headers: { ...bob(), 'idempotency-key': 'same' },
        payload: { ...ask, note: 'ACME secret' },
      });
      expect(bobSameKey.statusCode).toBe(201);
      expect(bobSameKey.json().id).not.toBe(mine.id);
      expect(bobs.statusCode).toBe(201);
      expect((await asBob('GET', `capacity-requests/${mine.id}`)).statusCode).toBe(404);
      expect((await asBob('POST', `capacity-requests/${mine.id}/withdraw`)).statusCode).toBe(404);
      expect(JSON.stringify((await asBob('GET', 'capacity-requests?status=open')).json())).not.toContain(mine.id);
      expect(JSON.stringify(await feed(bob()))).not.toContain(mine.id);
      expect(JSON.stringify(await feed(bob()))).not.toContain('ACME secret');
      // 404 is word for word that of a missing id (no existence oracle)
      const missing = crypto.randomUUID();
      const a = (await asBob('GET', `capacity-requests/${mine.id}`)).json();
      const b = (await asBob('GET', `capacity-requests/${missing}`)).json();
      expect(a.detail.replace(mine.id, 'X')).toBe(b.detail.replace(missing, 'X'));
    });

    it('a salesperson cannot file for a hold that is not theirs (planner-placed order) nor for an order that is not held', async () => {
      const plannerOrder = await c.order({ quantity: 10, promiseDate: '2026-12-18' });
      const res = await c.call('POST', 'capacity-requests', 'sales', {
        sku: 'P1',
        quantity: 10,
        requestedDate: '2026-11-27',
        orderId: plannerOrder.id,
      });
      expect(res.statusCode).toBe(404);
      // a confirmed order of the salesperson: not a live hold
      const own = await c.order({ quantity: 100, promiseDate: '2026-12-18' }, 'sales');
      const notHeld = await c.call('POST', 'capacity-requests', 'sales', { ...ask, orderId: own.id });
      expect(notHeld.statusCode).toBe(409);
      const version = await c.version();
      expect((await c.call('GET', 'capacity-requests', 'planner')).json().items).toEqual([]);
      expect(await c.version()).toBe(version);
    });

    // ---------------------------------------------------------------- bad input: never a 500, never a write
    it('bad input is a 4xx, never a 500: NUL bytes, huge notes, unknown fields, wrong types, odd dates', async () => {
      const version = await c.version();
      const bodies: object[] = [
        { ...ask, note: 'a\u0000b' },
        { ...ask, note: 'x'.repeat(100_000) },
        { ...ask, sku: 'P1\u0000' },
        { ...ask, extra: 1 },
        { ...ask, quantity: '100' },
        { ...ask, quantity: 1e300 },
        { ...ask, quantity: 2_000_000_000 },
        { ...ask, requestedDate: '2026-02-30' },
        { ...ask, requestedDate: '9999-12-31' },
        { ...ask, requestedDate: '2040-01-01' },
        { ...ask, quoteId: 'not-a-uuid' },
        { ...ask, orderId: null },
        { ...ask, requestedDate: '2026-11-27T00:00:00Z' },
        [],
      ];
      for (const b of bodies) {
        const res = await c.call('POST', 'capacity-requests', 'sales', b);
        noServerErrors(res);
        expect(res.statusCode, JSON.stringify(b).slice(0, 80)).toBeGreaterThanOrEqual(400);
        expect(res.headers['content-type']).toMatch(/problem\+json/);
      }
      const filed = await file();
      const v2 = await c.call('GET', c.P, 'planner');
      for (const [path, b] of [
        ['decline', { reason: 'a\u0000b' }],
        ['withdraw', { reason: 'a\u0000b' }],
        ['withdraw', { reason: 'x'.repeat(501) }],
        ['accept', { reason: 'a\u0000b' }],
        ['accept', { proposalIndex: '0' }],
        ['accept', { proposalIndex: -1 }],
        ['accept', { proposalIndex: 0, blocks: [] }],
        ['accept', { blocks: [{ resource: 'cnc', kind: 'downtime', date: '2026-11-24', start: '22:00', end: '23:00' }] }],
        ['accept', { blocks: [{ resource: 'cnc', kind: 'overtime', date: '2026-11-24', start: '22:00', end: '25:00' }] }],
        ['accept', { blocks: [{ resource: 'cnc\u0000', kind: 'overtime', date: '2026-11-24', start: '22:00', end: '23:00' }] }],
      ] as const) {
        const res = await c.call('POST', `capacity-requests/${filed.id}/${path}`, path === 'accept' ? 'planner' : 'planner', b);
        noServerErrors(res);
        expect(res.statusCode, `${path} ${JSON.stringify(b)}`).toBe(400);
      }
      expect(await c.version()).toBe(v2.json().scheduleVersion);
      expect((await c.call('GET', `capacity-requests/${filed.id}`, 'planner')).json().status).toBe('open');
      expect(version).toBeLessThan(v2.json().scheduleVersion);
    });

    // A planner's malformed blocks are client errors, not a plan that moved.
    it('malformed planner blocks are a 400 validation error, not a 409 "stale proposal"', async () => {
      const filed = await file();
      const backwards = await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {
        blocks: [{ resource: 'cnc', kind: 'overtime', date: '2026-11-24', start: '23:00', end: '22:00' }],
      });
      expect(backwards.statusCode, backwards.body).toBe(400);
      const overlapping = await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {
        blocks: [
          { resource: 'cnc', kind: 'overtime', date: '2026-11-24', start: '22:00', end: '24:00' },
          { resource: 'cnc', kind: 'overtime', date: '2026-11-24', start: '22:00', end: '24:00' },
        ],
      });
      expect(overlapping.statusCode, overlapping.body).toBe(400);
    });

    it('an unknown resource in planner blocks is a 4xx naming it, never a 500; nothing written', async () => {
      const filed = await file();
      const version = await c.version();
      const res = await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {
        blocks: [{ resource: 'NOPE', kind: 'overtime', date: '2026-11-24', start: '22:00', end: '23:00' }],
      });
      noServerErrors(res);
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.body).toMatch(/NOPE|resource/);
      expect(await c.version()).toBe(version);
    });

    // Accept checks planner blocks against the planning horizon as POST capacity-changes does.
    it('planner blocks beyond the planning horizon are refused (400), as POST capacity-changes refuses them', async () => {
      const filed = await file();
      const useful = filed.proposals[0].blocks.map(({ resource, kind, date, start, end }: any) => ({ resource, kind, date, start, end }));
      const res = await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {
        blocks: [...useful, { resource: 'cnc', kind: 'extra_shift', date: '2035-06-02', start: '06:00', end: '14:00' }],
      });
      expect(res.statusCode, res.body).toBe(400);
    });

    // ---------------------------------------------------------------- accept: refusals write nothing, not even in memory
    it('a refused accept leaves the live plan as it was: the next quote sees no trace of the rejected blocks', async () => {
      const filed = await file();
      const before = await quote();
      const version = await c.version();
      const small = await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {
        blocks: [{ resource: 'cnc', kind: 'overtime', date: '2026-11-24', start: '22:00', end: '24:00' }],
      });
      expect(small.statusCode).toBe(409);
      const after = await quote();
      expect(after.earliestPromiseDate).toBe(before.earliestPromiseDate);
      expect(after.capacityNeeded).toEqual(before.capacityNeeded);
      expect(await c.version()).toBe(version);
      expect(await changes()).toEqual([]);
      const req = (await c.call('GET', `capacity-requests/${filed.id}`, 'planner')).json();
      expect(req).toMatchObject({ status: 'open', decidedAt: null, changeIds: null, acceptedBlocks: null, outcome: null });
      expect((await c.events()).filter((e) => e.type === 'capacity.changed')).toEqual([]);
    });

    it('a refused accept for a hold (its blocks partly applied before the second kind fails) leaves the hold where it was', async () => {
      const hold = (await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 100 })).json();
      const filed = await file({ ...ask, orderId: hold.id });
      const version = await c.version();
      const useful = filed.proposals[0].blocks.map(({ resource, kind, date, start, end }: any) => ({ resource, kind, date, start, end }));
      // the overtime group applies, then an extra shift in the past fails
      const res = await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {
        blocks: [...useful, { resource: 'cnc', kind: 'extra_shift', date: '2026-11-21', start: '06:00', end: '14:00' }],
      });
      expect(res.statusCode).toBe(409);
      expect(await c.version()).toBe(version);
      expect(await changes()).toEqual([]);
      expect((await c.call('GET', `orders/${hold.id}`, 'sales')).json().promiseDate).toBe(hold.promiseDate);
      // and the same request is then accepted normally
      expect((await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {})).statusCode).toBe(200);
    });

    // ---------------------------------------------------------------- the invariant after accept
    it('after an accept the re-promised hold has a plan that works and the whole schedule is feasible', async () => {
      const hold = (await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 100 })).json();
      const filed = await file({ ...ask, orderId: hold.id });
      const accepted = await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {});
      expect(accepted.statusCode, accepted.body).toBe(200);
      const plan = await c.call('GET', `orders/${hold.id}/plan`, 'sales');
      expect(plan.statusCode, plan.body).toBe(200);
      expect(plan.json()).toMatchObject({ promiseDate: '2026-11-27' });
      const schedule = (await c.call('GET', 'schedule?limit=500', 'planner')).json();
      expect(schedule.feasible).toBe(true);
      const mine = schedule.orders.find((i: any) => i.orderId === hold.id || i.id === hold.id);
      expect(mine).toBeDefined();
      // confirming the hold at its new date works and keeps the date
      const confirm = await c.call('POST', `holds/${hold.id}/confirm`, 'sales', { customer: 'ACME' });
      expect(confirm.statusCode, confirm.body).toBe(201);
      expect(confirm.json().promiseDate).toBe('2026-11-27');
    });

    it('after a quote-based accept, the salesperson holds the date and the schedule stays feasible', async () => {
      const q = (await c.call('POST', 'quotes', 'sales', ask)).json();
      const filed = await file({ ...ask, quoteId: q.quoteId });
      expect((await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', { proposalIndex: 0 })).statusCode).toBe(200);
      const hold = await c.call('POST', 'holds', 'sales', {
        ...ask,
        promiseDate: '2026-11-27',
        requestedDate: undefined,
        quoteId: q.quoteId,
      });
      expect(hold.statusCode, hold.body).toBe(201);
      expect((await c.call('GET', `orders/${hold.json().id}/plan`, 'sales')).statusCode).toBe(200);
      expect((await c.call('GET', 'schedule?limit=500', 'planner')).json().feasible).toBe(true);
    });

    // ---------------------------------------------------------------- double decisions, concurrency
    it('two parallel accepts of one request: one applies, the other is 409 closed; the capacity is added once', async () => {
      const filed = await file();
      const [a, b] = await Promise.all([
        c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {}),
        c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {}),
      ]);
      expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
      expect((a.statusCode === 409 ? a : b).json().type).toMatch(/capacity-request-closed/);
      expect(await changes()).toHaveLength((a.statusCode === 200 ? a : b).json().changes.length);
      expect((await c.events()).filter((e) => e.type === 'capacity-request.accepted')).toHaveLength(1);
    });

    it('accept racing withdraw: exactly one wins and the request and capacity agree', async () => {
      const filed = await file();
      const [acc, wd] = await Promise.all([
        c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {}),
        c.call('POST', `capacity-requests/${filed.id}/withdraw`, 'sales'),
      ]);
      expect([acc.statusCode, wd.statusCode].sort()).toEqual([200, 409]);
      const req = (await c.call('GET', `capacity-requests/${filed.id}`, 'planner')).json();
      expect(req.status).toBe(acc.statusCode === 200 ? 'accepted' : 'withdrawn');
      expect((await changes()).length > 0).toBe(req.status === 'accepted');
    });

    it('two accepts of two requests for the same date in parallel: the second is refused (stale or keepable), never both applied needlessly', async () => {
      const mine = await file();
      const bobs = (await asBob('POST', 'capacity-requests', ask)).json();
      const [a, b] = await Promise.all([
        c.call('POST', `capacity-requests/${mine.id}/accept`, 'planner', {}),
        c.call('POST', `capacity-requests/${bobs.id}/accept`, 'planner', {}),
      ]);
      const codes = [a.statusCode, b.statusCode].sort();
      expect(codes).toEqual([200, 409]);
      expect((await c.call('GET', 'schedule?limit=500', 'planner')).json().feasible).toBe(true);
    });

    it('two processes on one database: parallel accepts of two requests for one date apply capacity for one; the other process then sees it', async () => {
      const b = await buildApp({ db: plant.t.db.db, clock: plant.t.clock, maxOrderQuantity: 100_000 });
      await b.ready();
      try {
        const onB = client(() => ({ ...plant.t, app: b }), plant.plant);
        const mine = await file();
        const bobs = (await asBob('POST', 'capacity-requests', ask)).json();
        expect((await onB.call('POST', 'quotes', 'planner', ask)).json().requestedDateFeasible).toBe(false); // B warm
        const [x, y] = await Promise.all([
          c.call('POST', `capacity-requests/${mine.id}/accept`, 'planner', {}),
          onB.call('POST', `capacity-requests/${bobs.id}/accept`, 'planner', {}),
        ]);
        noServerErrors(x);
        noServerErrors(y);
        expect([x.statusCode, y.statusCode].sort()).toEqual([200, 409]);
        expect(await changes()).toHaveLength(1);
        // B's cache caught up: the date is keepable there too
        expect((await onB.call('POST', 'quotes', 'planner', ask)).json().requestedDateFeasible).toBe(true);
        expect((await onB.call('GET', 'schedule?limit=500', 'planner')).json().feasible).toBe(true);
      } finally {
        await b.close();
      }
    });

    it('two processes on one database accept the same request at once: one 200, one 409, capacity added once', async () => {
      const b = await buildApp({ db: plant.t.db.db, clock: plant.t.clock, maxOrderQuantity: 100_000 });
      await b.ready();
      try {
        const onB = client(() => ({ ...plant.t, app: b }), plant.plant);
        const hold = (await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 100 })).json();
        const filed = await file({ ...ask, orderId: hold.id });
        expect((await onB.call('GET', `capacity-requests/${filed.id}`, 'planner')).json().status).toBe('open');
        const [x, y] = await Promise.all([
          c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {}),
          onB.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {}),
        ]);
        expect([x.statusCode, y.statusCode].sort()).toEqual([200, 409]);
        expect(await changes()).toHaveLength(1);
        expect((await c.events()).filter((e) => e.type === 'order.repromised')).toHaveLength(1);
        expect((await onB.call('GET', `orders/${hold.id}/plan`, 'planner')).statusCode).toBe(200);
        expect((await onB.call('GET', 'schedule?limit=500', 'planner')).json().feasible).toBe(true);
      } finally {
        await b.close();
      }
    });

    it('parallel filings with one idempotency key file one request', async () => {
      const h = { 'idempotency-key': 'par-1' };
      const rs = await Promise.all([0, 1, 2].map(() => c.call('POST', 'capacity-requests', 'sales', ask, h)));
      for (const r of rs) noServerErrors(r);
      const ok = rs.filter((r) => r.statusCode === 201);
      expect(new Set(ok.map((r) => r.json().id)).size).toBe(1);
      expect((await c.call('GET', 'capacity-requests', 'planner')).json().items).toHaveLength(1);
    });

    it('a replay after the request was withdrawn answers the stored 201 and files nothing new; another body with the key is a 422', async () => {
      const h = { 'idempotency-key': 'replay-1' };
      const first = (await c.call('POST', 'capacity-requests', 'sales', ask, h)).json();
      await c.call('POST', `capacity-requests/${first.id}/withdraw`, 'sales');
      const again = await c.call('POST', 'capacity-requests', 'sales', ask, h);
      expect(again.statusCode).toBe(201);
      expect(again.json().id).toBe(first.id);
      expect((await c.call('POST', 'capacity-requests', 'sales', { ...ask, note: 'other' }, h)).statusCode).toBe(422);
      expect((await c.call('GET', 'capacity-requests', 'planner')).json().items).toHaveLength(1);
    });

    it('decide twice: decline after accept, withdraw after decline, accept after decline are 409 and write nothing', async () => {
      const a = await file();
      await c.call('POST', `capacity-requests/${a.id}/decline`, 'planner', { reason: 'no' });
      const version = await c.version();
      for (const step of ['accept', 'withdraw', 'decline'] as const) {
        const res = await c.call('POST', `capacity-requests/${a.id}/${step}`, 'planner', step === 'decline' ? { reason: 'again' } : {});
        expect(res.statusCode).toBe(409);
        expect(res.json().type).toMatch(/capacity-request-closed/);
      }
      expect(await c.version()).toBe(version);
      expect((await c.call('GET', `capacity-requests/${a.id}`, 'planner')).json().decisionReason).toBe('no');
    });

    // ---------------------------------------------------------------- cross-plant, keys scoped to plants
    it('ids of another plant are 404 on every operation; a key for another plant is refused', async () => {
      const filed = await file();
      const otherPlant = `${plant.plant}-x`;
      const { seedPlant } = await import('../helpers/builders.ts');
      await seedPlant(plant.t, otherPlant, { productionBufferDays: 2, shippingBufferDays: 1, standardLeadTimeDays: 2 });
      const o = client(() => plant.t, otherPlant);
      expect((await o.call('GET', `capacity-requests/${filed.id}`, 'planner')).statusCode).toBe(404);
      expect((await o.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {})).statusCode).toBe(404);
      expect((await o.call('POST', `capacity-requests/${filed.id}/decline`, 'planner', { reason: 'x' })).statusCode).toBe(404);
      expect((await o.call('POST', `capacity-requests/${filed.id}/withdraw`, 'sales')).statusCode).toBe(404);
      // an order of this plant named in a request to the other
      const hold = (await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 100 })).json();
      const cross = await o.call('POST', 'capacity-requests', 'sales', { ...ask, orderId: hold.id });
      noServerErrors(cross);
      expect(cross.statusCode).toBe(404);
      const scoped = (await createApiKey(plant.t.db.db, { name: 'Eve', role: 'planner', plantIds: [otherPlant] })).key;
      const res = await plant.t.app.inject({
        method: 'GET',
        url: `${c.P}/capacity-requests/${filed.id}`,
        headers: { authorization: `Bearer ${scoped}` },
      });
      expect([403, 404]).toContain(res.statusCode);
      expect(res.body).not.toContain(filed.id.slice(0, 8) + '"');
      expect((await c.call('GET', `capacity-requests/${filed.id}`, 'planner')).json().status).toBe('open');
    });

    // ---------------------------------------------------------------- events
    it('every step is one event, bumping the version once, and the salesperson sees exactly their own', async () => {
      const v0 = await c.version();
      const hold = (await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 100 })).json();
      const filed = await file({ ...ask, orderId: hold.id });
      const accepted = (await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {})).json();
      const events = (await c.events()).filter((e) => e.scheduleVersion > v0);
      const byType = (t: string) => events.filter((e) => e.type === t);
      expect(byType('capacity-request.filed')).toHaveLength(1);
      expect(byType('capacity-request.filed')[0]!.scheduleVersion).toBe(filed.scheduleVersion);
      expect(byType('capacity-request.accepted')).toHaveLength(1);
      expect(byType('capacity-request.accepted')[0]!.scheduleVersion).toBe(accepted.scheduleVersion);
      expect(byType('capacity-request.accepted')[0]!.orderId).toBe(hold.id);
      const mine = (await feed(plant.t.as('sales'))).items.map((e: any) => e.type);
      expect(mine).toEqual(expect.arrayContaining(['capacity-request.filed', 'capacity-request.accepted', 'order.repromised']));
      // Bob sees none of it
      expect((await feed(bob())).items.filter((e: any) => e.type.startsWith('capacity-request.') || e.orderId === hold.id)).toEqual([]);
    });

    // A planner may file for a salesperson's hold: the hold's owner hears of it as the filer does.
    it('a request a planner files for a salesperson’s hold is seen by that salesperson in their feed', async () => {
      const hold = (await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 100 })).json();
      const filed = await file({ ...ask, orderId: hold.id }, 'planner');
      await c.call('POST', `capacity-requests/${filed.id}/decline`, 'planner', { reason: 'no overtime' });
      const mine = (await feed(plant.t.as('sales'))).items.filter((e: any) => e.type.startsWith('capacity-request.'));
      expect(mine.map((e: any) => e.type)).toEqual(['capacity-request.filed', 'capacity-request.declined']);
    });

    // Capacity requests are a conversation between sales and planners: the floor may not read them
    // (GET …/capacity-requests), so its live stream carries its orders' events but none of their steps.
    it('the floor’s live stream carries the orders’ events but no capacity-request step; a planner’s carries them', async () => {
      base ??= await plant.t.app.listen({ port: 0, host: '127.0.0.1' });
      const hold = (await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 100 })).json();
      const filed = await file({ ...ask, orderId: hold.id });
      await c.call('POST', `capacity-requests/${filed.id}/decline`, 'planner', { reason: 'no overtime' });
      await file();
      const last = await c.order({ quantity: 1, promiseDate: '2026-12-18' });
      const streamed = async (role: 'floor' | 'planner') => {
        const stream = await openStream(`${base}${c.P}/events/stream?after=0`, plant.t.as(role));
        try {
          await stream.until((m) => m.data.orderId === last.id);
          return stream.messages.map((m) => m.event);
        } finally {
          stream.close();
        }
      };
      const floor = await streamed('floor');
      expect(floor).toEqual(expect.arrayContaining(['order.created', 'hold.created']));
      expect(floor.filter((t) => t.startsWith('capacity-request.'))).toEqual([]);
      const planner = await streamed('planner');
      expect(planner.filter((t) => t.startsWith('capacity-request.'))).toEqual([
        'capacity-request.filed',
        'capacity-request.declined',
        'capacity-request.filed',
      ]);
    });

    // Free text a person reads (reason, note) must not be blank.
    it('a decline reason of whitespace only is refused (400)', async () => {
      const filed = await file();
      const res = await c.call('POST', `capacity-requests/${filed.id}/decline`, 'planner', { reason: '   ' });
      expect(res.statusCode).toBe(400);
    });

    // ---------------------------------------------------------------- cancel offers
    it('cancelling after the linked capacity started being worked answers 200 (the cancel committed) with or without offers', async () => {
      const hold = (await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 100 })).json();
      const filed = await file({ ...ask, orderId: hold.id });
      const accepted = (await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {})).json();
      expect((await c.call('POST', `holds/${hold.id}/confirm`, 'sales', { customer: 'ACME' })).statusCode).toBe(201);
      const first = accepted.request.acceptedBlocks[0];
      // Inside the first block (Berlin = UTC+1): some of the capacity is being worked.
      const [h, m] = (first.start as string).split(':').map(Number) as [number, number];
      plant.t.clock.set(new Date(Date.parse(`${first.date}T00:00:00Z`) + ((h - 1) * 60 + m + 30) * 60_000).toISOString());
      try {
        const res = await c.call('POST', `orders/${hold.id}/cancel`, 'planner', {});
        expect(res.statusCode, res.body).toBe(200);
        expect((await c.call('GET', `orders/${hold.id}`, 'planner')).json().status).toBe('cancelled');
      } finally {
        plant.t.clock.set('2026-11-23T08:00:00Z');
      }
    });

    it('cancelling after the linked capacity was revoked offers nothing; offers never revoke', async () => {
      const hold = (await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 100 })).json();
      const filed = await file({ ...ask, orderId: hold.id });
      const accepted = (await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {})).json();
      // A planner revokes the capacity: the order it was for now is late → refused unless re-promised; so confirm the order is there
      const revoke = await c.call('DELETE', `capacity-changes/${accepted.changes[0].id}`, 'planner', {});
      expect(revoke.statusCode).toBe(409);
      const cancelled = await c.call('POST', `orders/${hold.id}/cancel`, 'sales', {});
      expect(cancelled.statusCode).toBe(200);
      expect(cancelled.json().offeredRevocations).toHaveLength(1);
      expect((await changes()).map((x) => x.id)).toContain(accepted.changes[0].id);
      const revoked = await c.call('DELETE', `capacity-changes/${accepted.changes[0].id}`, 'planner', {});
      expect(revoked.statusCode, revoked.body).toBe(200);
      const other = (await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 1 })).json();
      expect((await c.call('POST', `orders/${other.id}/cancel`, 'sales', {})).json()).not.toHaveProperty('offeredRevocations');
    });

    it('a hold placed with the quoteId of another salesperson’s accepted request does not get its capacity offered', async () => {
      const q = (await c.call('POST', 'quotes', 'sales', ask)).json();
      const filed = await file({ ...ask, quoteId: q.quoteId });
      expect((await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {})).statusCode).toBe(200);
      const bobHold = await asBob('POST', 'holds', { sku: 'P1', quantity: 1, quoteId: q.quoteId });
      expect(bobHold.statusCode).toBe(201);
      const cancelled = await asBob('POST', `orders/${bobHold.json().id}/cancel`, {});
      expect(cancelled.json()).not.toHaveProperty('offeredRevocations');
    });

    it('cancelling a confirmed order after all its linked capacity was worked answers 200', async () => {
      const hold = (await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 100 })).json();
      const filed = await file({ ...ask, orderId: hold.id });
      expect((await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {})).statusCode).toBe(200);
      expect((await c.call('POST', `holds/${hold.id}/confirm`, 'sales', { customer: 'ACME' })).statusCode).toBe(201);
      plant.t.clock.set('2026-11-25T12:00:00Z');
      try {
        const res = await c.call('POST', `orders/${hold.id}/cancel`, 'sales', {});
        expect(res.statusCode, res.body).toBe(200);
      } finally {
        plant.t.clock.set('2026-11-23T08:00:00Z');
      }
    });

    // A block that adds nothing (overtime inside the shift) is left out and the answer says so (skippedDays).
    it('the acceptance tells the planner a block was skipped (adds nothing: inside a shift)', async () => {
      const filed = await file();
      const useful = filed.proposals[0].blocks.map(({ resource, kind, date, start, end }: any) => ({ resource, kind, date, start, end }));
      const res = await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {
        blocks: [...useful, { resource: 'cnc', kind: 'overtime', date: '2026-11-26', start: '10:00', end: '12:00' }],
      });
      expect(res.statusCode, res.body).toBe(200);
      const listed = (await c.call('GET', 'capacity-changes', 'planner')).json().items[0];
      expect(listed.skippedDays).toHaveLength(1);
      const said = JSON.stringify(res.json().changes) + JSON.stringify(res.json().request.acceptedBlocks);
      expect(res.json().request.acceptedBlocks).toHaveLength(useful.length);
      expect(said).toMatch(/skipped/);
    });

    // The standard lead-time floor applies to a request to move a hold, as to a quote or a new hold.
    it('a request to move a hold inside the standard lead time is refused like a quote (capacity cannot buy it)', async () => {
      const hold = (await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 100 })).json();
      const res = await c.call('POST', 'capacity-requests', 'sales', { ...ask, orderId: hold.id, requestedDate: '2026-11-24' });
      noServerErrors(res);
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json().type).toMatch(/schedule-infeasible/);
    });

    it('a request for today is refused, never a 500', async () => {
      const hold = (await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 1 })).json();
      for (const body of [
        { ...ask, requestedDate: '2026-11-23' },
        { sku: 'P1', quantity: 1, requestedDate: '2026-11-23', orderId: hold.id },
      ]) {
        const res = await c.call('POST', 'capacity-requests', 'sales', body);
        noServerErrors(res);
        expect(res.statusCode, res.body).toBe(409);
      }
    });

    // Cancelling the order withdraws its open requests in the same write; accept re-checks the order is live.
    it('a request whose order was cancelled cannot buy capacity', async () => {
      const hold = (await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 100 })).json();
      const filed = await file({ ...ask, orderId: hold.id });
      expect((await c.call('POST', `orders/${hold.id}/cancel`, 'sales', {})).statusCode).toBe(200);
      const status = (await c.call('GET', `capacity-requests/${filed.id}`, 'planner')).json().status;
      const res = await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {});
      expect(status === 'withdrawn' || res.statusCode === 409, `${status} ${res.statusCode} ${res.body.slice(0, 300)}`).toBe(true);
      expect(await changes()).toEqual([]);
    });

    it('cancelling the order withdraws its open request in the same version, by the canceller, and its salesperson sees it', async () => {
      const hold = (await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 100 })).json();
      const filed = await file({ ...ask, orderId: hold.id }, 'planner');
      const other = await file({ ...ask, requestedDate: '2026-11-30' });
      const cancelled = await c.call('POST', `orders/${hold.id}/cancel`, 'sales', { reason: 'customer went elsewhere' });
      expect(cancelled.statusCode, cancelled.body).toBe(200);
      const req = (await c.call('GET', `capacity-requests/${filed.id}`, 'planner')).json();
      expect(req).toMatchObject({ status: 'withdrawn', decisionReason: 'order cancelled' });
      const withdrawn = (await c.events()).filter((e) => e.type === 'capacity-request.withdrawn');
      expect(withdrawn).toHaveLength(1);
      expect(withdrawn[0]!.data).toMatchObject({ requestId: filed.id, by: 'sales', reason: 'order cancelled' });
      expect(withdrawn[0]!.scheduleVersion).toBe(cancelled.json().scheduleVersion);
      // a request not naming the order stays open
      expect((await c.call('GET', `capacity-requests/${other.id}`, 'planner')).json().status).toBe('open');
      const mine = (await feed(plant.t.as('sales'))).items.filter((e: any) => e.type === 'capacity-request.withdrawn');
      expect(mine.map((e: any) => e.data.requestId)).toEqual([filed.id]);
      // and accepting it is a 409 that writes nothing
      const version = await c.version();
      const res = await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {});
      expect(res.statusCode).toBe(409);
      expect(res.json().type).toMatch(/capacity-request-closed/);
      expect(await c.version()).toBe(version);
    });

    it('a salesperson may have at most 20 open requests in a plant; withdrawing one makes room', async () => {
      const filed = [];
      for (let i = 0; i < 20; i++) filed.push(await file());
      const version = await c.version();
      const refused = await c.call('POST', 'capacity-requests', 'sales', ask);
      expect(refused.statusCode, refused.body).toBe(409);
      expect(refused.json()).toMatchObject({ openRequests: 20, maxOpenRequests: 20 });
      expect(await c.version()).toBe(version);
      // another salesperson is not held up by it
      expect((await asBob('POST', 'capacity-requests', ask)).statusCode).toBe(201);
      await c.call('POST', `capacity-requests/${filed[0].id}/withdraw`, 'sales');
      await file();
    });

    it('free text is not blank: a whitespace note, withdraw reason or accept reason is a 400', async () => {
      const filed = await file();
      const version = await c.version();
      expect((await c.call('POST', 'capacity-requests', 'sales', { ...ask, note: ' \t ' })).statusCode).toBe(400);
      expect((await c.call('POST', `capacity-requests/${filed.id}/withdraw`, 'sales', { reason: '  ' })).statusCode).toBe(400);
      expect((await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', { reason: '\n' })).statusCode).toBe(400);
      expect(await c.version()).toBe(version);
    });

    // ---------------------------------------------------------------- ERP integrator
    it('the ERP role cannot file, list, read or decide; its feed carries the request steps without notes or costs', async () => {
      const filed = await file({ ...ask, note: 'private note' });
      for (const [m, u] of [
        ['GET', 'capacity-requests'],
        ['GET', `capacity-requests/${filed.id}`],
        ['POST', `capacity-requests/${filed.id}/accept`],
        ['POST', `capacity-requests/${filed.id}/withdraw`],
      ] as const)
        expect((await c.call(m, u, 'erp', m === 'POST' ? {} : undefined)).statusCode).toBe(403);
      const erpFeed = await feed(plant.t.as('erp'));
      expect(JSON.stringify(erpFeed)).not.toContain('private note');
      expect(hasCost(erpFeed)).toBe(false);
    });

    it('the list filter and limit: bad status or limit is a 400; status filters', async () => {
      const a = await file();
      await file({ ...ask, requestedDate: '2026-11-30' });
      await c.call('POST', `capacity-requests/${a.id}/withdraw`, 'sales');
      expect((await c.call('GET', 'capacity-requests?status=bogus', 'planner')).statusCode).toBe(400);
      expect((await c.call('GET', 'capacity-requests?limit=0', 'planner')).statusCode).toBe(400);
      expect((await c.call('GET', 'capacity-requests?limit=abc', 'planner')).statusCode).toBe(400);
      expect((await c.call('GET', 'capacity-requests?status=withdrawn', 'sales')).json().items.map((r: any) => r.id)).toEqual([a.id]);
      expect((await c.call('GET', 'capacity-requests?status=open&limit=1', 'planner')).json().items).toHaveLength(1);
    });
  },
);
