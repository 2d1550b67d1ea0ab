import { beforeEach, describe, expect, it } from 'vitest';
import { capacityRequestPlant, SHORT_ASK } from '../helpers/capacity-request-plant.ts';
import { client, databaseKinds } from '../helpers/planning.ts';

interface Proposal {
  totalMinutes: number;
  totalCost?: number;
  currency?: string;
  blocks: { resource: string; kind: string; date: string; start: string; end: string; minutes: number; cost?: number }[];
}

// Monday 2026-11-23 09:00 Berlin; the drum (cnc) works 06:00–22:00 Monday to Friday. Three
// orders of 930 minutes promised for Friday 2026-11-27 leave 870 minutes before it: 100 units
// (1 030 minutes) for Friday are 160 short, and the earliest date is later.
describe.each(databaseKinds())('capacity requests on %s', (kind) => {
  const { plant, bob, asBob, file } = capacityRequestPlant(kind, 'capreq');
  let c: ReturnType<typeof client>;
  beforeEach(() => {
    ({ c } = plant);
  });

  const ask = SHORT_ASK;
  const capacityChanges = async () => (await c.call('GET', 'capacity-changes', 'planner')).json().items as { id: string }[];
  const myEvents = async (headers: { authorization: string }) =>
    (await plant.t.app.inject({ method: 'GET', url: `/v1/me/events?plant=${plant.plant}`, headers })).json().items as {
      type: string;
      orderId: string | null;
      data: Record<string, unknown>;
    }[];

  it('files a request from a refused quote with the proposals computed now: without costs for sales, priced for planners', async () => {
    const quote = (await c.call('POST', 'quotes', 'sales', ask)).json();
    expect(quote.requestedDateFeasible).toBe(false);
    const filed = await file({ ...ask, quoteId: quote.quoteId, note: 'ACME line stop' });
    expect(filed).toMatchObject({
      status: 'open',
      quoteId: quote.quoteId,
      orderId: null,
      requestedDate: '2026-11-27',
      earliestPromiseDate: quote.earliestPromiseDate,
      capacityNeeded: { resource: 'cnc', minutes: 160 },
      note: 'ACME line stop',
    });
    // The salesperson's copy: the quote's proposals, no costs anywhere.
    expect(filed.proposals).toEqual(quote.proposals);
    for (const p of filed.proposals as Proposal[]) {
      expect(p).not.toHaveProperty('totalCost');
      expect(p).not.toHaveProperty('currency');
      for (const b of p.blocks) expect(b).not.toHaveProperty('cost');
    }
    const planner = (await c.call('GET', `capacity-requests/${filed.id}`, 'planner')).json();
    expect(planner.proposals[0]).toMatchObject({ currency: 'EUR' });
    expect(planner.proposals[0].totalCost).toBeCloseTo((planner.proposals[0].totalMinutes / 60) * 60, 2);
    const inbox = (await c.call('GET', 'capacity-requests?status=open', 'planner')).json().items;
    expect(inbox.map((r: { id: string }) => r.id)).toEqual([filed.id]);
  });

  it('files a request from a refused hold: the proposals of the 409, as computed again now', async () => {
    const refused = await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 100, promiseDate: '2026-11-27' });
    expect(refused.statusCode).toBe(409);
    const filed = await file();
    expect(filed.proposals).toEqual(refused.json().proposals);
    expect(filed.capacityNeeded).toEqual(refused.json().capacityNeeded);
    expect(filed.earliestPromiseDate).toBe(refused.json().earliestPromiseDate);
  });

  it('never stores proposals a client sends: the body may not carry them', async () => {
    const res = await c.call('POST', 'capacity-requests', 'sales', { ...ask, proposals: [{ blocks: [] }] });
    expect(res.statusCode).toBe(400);
  });

  it('refuses a date the schedule can keep now (409, nothing to ask) and bad input (400, 404), writing nothing', async () => {
    const version = await c.version();
    const keepable = await c.call('POST', 'capacity-requests', 'sales', { ...ask, requestedDate: '2026-12-04' });
    expect(keepable.statusCode).toBe(409);
    expect(keepable.json()).toMatchObject({ type: 'https://drumbeat.dev/problems/requested-date-keepable', requestedDate: '2026-12-04' });
    expect((await c.call('POST', 'capacity-requests', 'sales', { ...ask, sku: 'NOPE' })).json().errors[0].field).toBe('body.sku');
    expect((await c.call('POST', 'capacity-requests', 'sales', { ...ask, requestedDate: '2026-11-20' })).statusCode).toBe(400);
    expect((await c.call('POST', 'capacity-requests', 'sales', { ...ask, orderId: crypto.randomUUID() })).statusCode).toBe(404);
    // inside the standard lead time capacity cannot buy the date
    const floor = await c.call('POST', 'capacity-requests', 'sales', { ...ask, requestedDate: '2026-11-24' });
    expect(floor.statusCode).toBe(409);
    expect(floor.json().capacityNeeded.bindingLimit).toBe('lead-time-floor');
    expect(await c.version()).toBe(version);
    expect((await c.call('GET', 'capacity-requests', 'planner')).json().items).toEqual([]);
  });

  it('files idempotently: a retry with the same key answers the same request, filed once', async () => {
    const headers = { 'idempotency-key': 'capreq-1' };
    const first = await c.call('POST', 'capacity-requests', 'sales', ask, headers);
    const again = await c.call('POST', 'capacity-requests', 'sales', ask, headers);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json().id).toBe(first.json().id);
    expect((await c.call('GET', 'capacity-requests', 'planner')).json().items).toHaveLength(1);
    expect((await c.events()).filter((e) => e.type === 'capacity-request.filed')).toHaveLength(1);
  });

  it("a salesperson sees their own requests only: another's is a 404, and not in their list", async () => {
    const mine = await file();
    expect((await asBob('GET', `capacity-requests/${mine.id}`)).statusCode).toBe(404);
    expect((await asBob('GET', 'capacity-requests')).json().items).toEqual([]);
    expect((await asBob('POST', `capacity-requests/${mine.id}/withdraw`, {})).statusCode).toBe(404);
    const bobs = (await asBob('POST', 'capacity-requests', ask)).json();
    expect((await c.call('GET', 'capacity-requests', 'sales')).json().items.map((r: { id: string }) => r.id)).toEqual([mine.id]);
    expect((await c.call('GET', 'capacity-requests', 'planner')).json().items).toHaveLength(2);
    expect((await c.call('GET', 'capacity-requests', 'admin')).json().items.map((r: { id: string }) => r.id)).toContain(bobs.id);
  });

  it('accepting a proposal applies its blocks as linked capacity changes; the date becomes keepable and the salesperson holds it', async () => {
    const quote = (await c.call('POST', 'quotes', 'sales', ask)).json();
    const filed = await file({ ...ask, quoteId: quote.quoteId });
    const before = await capacityChanges();
    const res = await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', { proposalIndex: 0 });
    expect(res.statusCode, res.body).toBe(200);
    const accepted = res.json();
    expect(accepted).toMatchObject({ requestedDateKeepable: true, order: null, request: { status: 'accepted' } });
    expect(res.headers.etag).toBe(`"${accepted.capacityRevision}"`);
    const minutes = accepted.changes.reduce((n: number, ch: { minutesDelta: number }) => n + ch.minutesDelta, 0);
    expect(minutes).toBe(filed.proposals[0].totalMinutes);
    expect(accepted.request.changeIds).toEqual(accepted.changes.map((ch: { id: string }) => ch.id));
    expect((await capacityChanges()).length).toBe(before.length + accepted.changes.length);
    // A fresh quote now keeps the date, and the hold gets it.
    expect((await c.call('POST', 'quotes', 'sales', ask)).json().requestedDateFeasible).toBe(true);
    const hold = await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 100, promiseDate: '2026-11-27', quoteId: quote.quoteId });
    expect(hold.statusCode).toBe(201);
    // Accepting again: the request is closed.
    const twice = await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', { proposalIndex: 0 });
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({ type: 'https://drumbeat.dev/problems/capacity-request-closed', requestStatus: 'accepted' });
  });

  it('any stored proposal can be accepted: with night work allowed, the last one (not the cheapest) also buys the date', async () => {
    const policy = await c.call('GET', 'capacity-policy', 'planner');
    await c.call(
      'PUT',
      'capacity-policy',
      'planner',
      { currency: 'EUR', defaults: { overtime: { costPerHour: 60 }, nightShift: { enabled: true, costPerHour: 90 } } },
      { 'if-match': policy.headers.etag as string },
    );
    const filed = await file();
    const last = filed.proposals.length - 1;
    expect(last).toBeGreaterThan(0);
    const res = await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', { proposalIndex: last });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().request.acceptedBlocks).toEqual(
      filed.proposals[last].blocks.map(({ resource, kind, date, start, end }: Proposal['blocks'][number]) => ({
        resource,
        kind,
        date,
        start,
        end,
      })),
    );
    expect((await c.call('POST', 'quotes', 'sales', ask)).json().requestedDateFeasible).toBe(true);
  });

  it('accepting a request for a held order re-promises the hold to the requested date in the same version', async () => {
    const hold = (await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 100 })).json();
    expect(hold.promiseDate > '2026-11-27').toBe(true);
    const refused = await c.call('POST', 'capacity-requests', 'sales', { ...ask, orderId: hold.id, quantity: 99 });
    expect(refused.json().errors[0].field).toBe('body.quantity');
    const filed = await file({ ...ask, orderId: hold.id });
    expect(filed.capacityNeeded.minutes).toBeGreaterThan(0);
    const accepted = (await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {})).json();
    expect(accepted.order).toMatchObject({ id: hold.id, repromised: true, promiseDate: '2026-11-27' });
    const order = (await c.call('GET', `orders/${hold.id}`, 'sales')).json();
    expect(order).toMatchObject({ status: 'held', promiseDate: '2026-11-27' });
    const events = (await c.events()).filter((e) => e.scheduleVersion === accepted.scheduleVersion).map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['capacity.changed', 'order.repromised', 'capacity-request.accepted']));
    // The capacity is linked to the request and to the order, in the list and in the event.
    const changes = (await c.call('GET', 'capacity-changes', 'planner')).json().items;
    expect(changes).toEqual([expect.objectContaining({ id: accepted.changes[0].id, capacityRequestId: filed.id, forOrderId: hold.id })]);
    const changed = (await c.events()).find((e) => e.type === 'capacity.changed')!;
    expect(changed.data).toMatchObject({ capacityRequestId: filed.id, forOrderId: hold.id });
  });

  it('a hold that expires withdraws its open request (by the system) in the write that expires it; accepting it then buys nothing', async () => {
    const hold = (await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 100 })).json();
    // Bob cannot ask for my hold: it does not exist for him.
    expect((await asBob('POST', 'capacity-requests', { ...ask, orderId: hold.id })).statusCode).toBe(404);
    const filed = await file({ ...ask, orderId: hold.id });
    // The hold's 15 minutes are over: the next write expires it, and its request with it.
    plant.t.clock.set('2026-11-23T08:16:00Z');
    try {
      const version = await c.version();
      const res = await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {});
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json().type).toMatch(/capacity-request-closed/);
      expect(await capacityChanges()).toEqual([]);
      const expired = (await c.events()).filter((e) => e.scheduleVersion > version);
      expect(expired.map((e) => e.type)).toEqual(['hold.expired', 'capacity-request.withdrawn']);
      expect(expired[1]!.data).toMatchObject({ requestId: filed.id, by: 'system', reason: 'hold expired' });
      expect(expired[1]!.scheduleVersion).toBe(expired[0]!.scheduleVersion);
      const req = (await c.call('GET', `capacity-requests/${filed.id}`, 'sales')).json();
      expect(req).toMatchObject({ status: 'withdrawn', decidedBy: 'system', decisionReason: 'hold expired', changeIds: null });
    } finally {
      plant.t.clock.set('2026-11-23T08:00:00Z');
    }
  });

  it('time passing makes a proposal stale: 30 minutes of the shift gone need 190 minutes, not the 180 proposed', async () => {
    const filed = await file();
    expect(filed.proposals[0].totalMinutes).toBe(180);
    plant.t.clock.set('2026-11-23T08:30:00Z');
    try {
      const version = await c.version();
      const stale = await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', { proposalIndex: 0 });
      expect(stale.statusCode).toBe(409);
      expect(stale.json()).toMatchObject({
        type: 'https://drumbeat.dev/problems/capacity-request-stale',
        reason: 'with these blocks the earliest date the schedule can keep is 2026-12-01',
      });
      expect(stale.json().proposals[0].totalMinutes).toBe(190);
      expect(await c.version()).toBe(version);
      expect(await capacityChanges()).toEqual([]);
    } finally {
      plant.t.clock.set('2026-11-23T08:00:00Z');
    }
  });

  it('a stale proposal is a 409 naming why, with the proposals that work now; nothing is written', async () => {
    // Night work (dearer than overtime) leaves room for a second request once the overtime is bought.
    const policy = await c.call('GET', 'capacity-policy', 'planner');
    await c.call(
      'PUT',
      'capacity-policy',
      'planner',
      { currency: 'EUR', defaults: { overtime: { costPerHour: 60 }, nightShift: { enabled: true, costPerHour: 90 } } },
      { 'if-match': policy.headers.etag as string },
    );
    // Two salespeople ask for the same Friday; the planner buys Bob's, and Bob holds it.
    const mine = await file();
    const bobs = (await asBob('POST', 'capacity-requests', ask)).json();
    expect((await c.call('POST', `capacity-requests/${bobs.id}/accept`, 'planner', { proposalIndex: 0 })).statusCode).toBe(200);
    // Before Bob holds it the date is keepable without more capacity: nothing to accept.
    const keepable = await c.call('POST', `capacity-requests/${mine.id}/accept`, 'planner', { proposalIndex: 0 });
    expect(keepable.json().type).toBe('https://drumbeat.dev/problems/requested-date-keepable');
    expect((await asBob('POST', 'holds', { sku: 'P1', quantity: 100, promiseDate: '2026-11-27' })).statusCode).toBe(201);
    const version = await c.version();
    const changes = await capacityChanges();
    const stale = await c.call('POST', `capacity-requests/${mine.id}/accept`, 'planner', { proposalIndex: 0 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ type: 'https://drumbeat.dev/problems/capacity-request-stale', requestedDate: '2026-11-27' });
    expect(stale.json().reason).toMatch(/no working minute/);
    // The proposals that would work now: none of the blocks already bought.
    const fresh = stale.json().proposals as Proposal[];
    expect(fresh.length).toBeGreaterThan(0);
    const bought = new Set(bobs.proposals[0].blocks.map((b: Proposal['blocks'][number]) => `${b.date} ${b.start}`));
    for (const b of fresh[0]!.blocks) expect(bought.has(`${b.date} ${b.start}`)).toBe(false);
    expect(await c.version()).toBe(version);
    expect(await capacityChanges()).toEqual(changes);
    expect((await c.call('GET', `capacity-requests/${mine.id}`, 'planner')).json().status).toBe('open');
    // A planner's own blocks, from the fresh proposal, do buy it.
    const edited = await c.call('POST', `capacity-requests/${mine.id}/accept`, 'planner', {
      blocks: fresh[0]!.blocks.map(({ resource, kind, date, start, end }) => ({ resource, kind, date, start, end })),
    });
    expect(edited.statusCode, edited.body).toBe(200);
  });

  it('refuses blocks that do not buy the date, or lie in the past, as stale; the version and capacity stay as they were', async () => {
    const filed = await file();
    const version = await c.version();
    const small = await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {
      blocks: [{ resource: 'cnc', kind: 'overtime', date: '2026-11-24', start: '22:00', end: '23:00' }],
    });
    expect(small.statusCode).toBe(409);
    expect(small.json().reason).toMatch(/earliest date the schedule can keep is/);
    const past = await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {
      blocks: [{ resource: 'cnc', kind: 'overtime', date: '2026-11-20', start: '22:00', end: '24:00' }],
    });
    expect(past.statusCode).toBe(409);
    expect(past.json().reason).toMatch(/in the past/);
    expect((await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', { proposalIndex: 9 })).statusCode).toBe(400);
    expect(await c.version()).toBe(version);
    expect(await capacityChanges()).toEqual([]);
  });

  it('a stale If-Match is a 412', async () => {
    const filed = await file();
    const res = await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {}, { 'if-match': '"999"' });
    expect(res.statusCode).toBe(412);
  });

  it('declines with a reason the salesperson sees; every step is an event in their own feed', async () => {
    const filed = await file();
    expect((await c.call('POST', `capacity-requests/${filed.id}/decline`, 'planner', {})).statusCode).toBe(400);
    expect((await c.call('POST', `capacity-requests/${filed.id}/decline`, 'planner', { reason: 'x'.repeat(501) })).statusCode).toBe(400);
    expect((await c.call('POST', `capacity-requests/${filed.id}/decline`, 'sales', { reason: 'no' })).statusCode).toBe(403);
    const declined = await c.call('POST', `capacity-requests/${filed.id}/decline`, 'planner', { reason: 'No overtime in week 48' });
    expect(declined.json()).toMatchObject({ status: 'declined', decisionReason: 'No overtime in week 48' });
    expect((await c.call('POST', `capacity-requests/${filed.id}/withdraw`, 'sales', {})).statusCode).toBe(409);
    const mine = (await myEvents(plant.t.as('sales'))).filter((e) => e.type.startsWith('capacity-request.'));
    expect(mine.map((e) => e.type)).toEqual(['capacity-request.filed', 'capacity-request.declined']);
    expect(mine[1]!.data).toMatchObject({ requestId: filed.id, reason: 'No overtime in week 48' });
    expect(JSON.stringify(mine)).not.toMatch(/cost/i);
    // Bob's feed has none of them.
    expect((await myEvents(bob())).filter((e) => e.type.startsWith('capacity-request.'))).toEqual([]);
  });

  it('the filing salesperson or a planner withdraws a request; a withdrawn one cannot be accepted', async () => {
    const filed = await file();
    const withdrawn = await c.call('POST', `capacity-requests/${filed.id}/withdraw`, 'sales', { reason: 'customer took the later date' });
    expect(withdrawn.json()).toMatchObject({ status: 'withdrawn', decisionReason: 'customer took the later date' });
    const accept = await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {});
    expect(accept.json()).toMatchObject({ requestStatus: 'withdrawn' });
    const second = await file();
    expect((await c.call('POST', `capacity-requests/${second.id}/withdraw`, 'planner')).json().status).toBe('withdrawn');
    const types = (await myEvents(plant.t.as('sales'))).map((e) => e.type).filter((t) => t.startsWith('capacity-request.'));
    expect(types.filter((t) => t === 'capacity-request.withdrawn')).toHaveLength(2);
  });

  it('cancelling an order that capacity was added for offers to revoke it (a preview), and revokes nothing', async () => {
    const hold = (await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 100 })).json();
    const filed = await file({ ...ask, orderId: hold.id });
    const accepted = (await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {})).json();
    const before = await capacityChanges();
    const cancelled = await c.call('POST', `orders/${hold.id}/cancel`, 'sales', { reason: 'customer cancelled' });
    expect(cancelled.statusCode).toBe(200);
    const offers = cancelled.json().offeredRevocations;
    expect(offers.map((o: { changeId: string }) => o.changeId)).toEqual(accepted.request.changeIds);
    expect(offers[0]).toMatchObject({ capacityRequestId: filed.id, resource: 'cnc', wouldMakeLate: 0 });
    expect(offers[0].minutesDelta).toBeLessThan(0);
    expect(offers[0]).not.toHaveProperty('lateOrders');
    expect(await capacityChanges()).toEqual(before);
    // An order without linked capacity answers as before.
    const plain = await c.order({ quantity: 1, promiseDate: '2026-12-18' });
    expect((await c.call('POST', `orders/${plain.id}/cancel`, 'planner', {})).json()).not.toHaveProperty('offeredRevocations');
  });

  it('the hold placed from the quote of an accepted request is linked by that quote: a planner cancelling it sees the lateness too', async () => {
    const quote = (await c.call('POST', 'quotes', 'sales', ask)).json();
    const filed = await file({ ...ask, quoteId: quote.quoteId });
    const accepted = (await c.call('POST', `capacity-requests/${filed.id}/accept`, 'planner', {})).json();
    const hold = (
      await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 100, promiseDate: '2026-11-27', quoteId: quote.quoteId })
    ).json();
    const cancelled = (await c.call('POST', `orders/${hold.id}/cancel`, 'planner', {})).json();
    expect(cancelled.offeredRevocations.map((o: { changeId: string }) => o.changeId)).toEqual(accepted.request.changeIds);
    // With the hold gone the three Friday orders fit without the extra capacity again.
    expect(cancelled.offeredRevocations[0]).toMatchObject({ wouldMakeLate: 0, lateOrders: [] });
    // Bob's hold of another quote is not linked.
    const bobs = (await asBob('POST', 'holds', { sku: 'P1', quantity: 1, quoteId: crypto.randomUUID() })).json();
    expect((await asBob('POST', `orders/${bobs.id}/cancel`, {})).json()).not.toHaveProperty('offeredRevocations');
  });

  it('roles, plants and ids: erp may not file, sales may not accept or decline, unknown ones are 404s', async () => {
    const filed = await file();
    expect((await c.call('POST', 'capacity-requests', 'erp', ask)).statusCode).toBe(403);
    expect((await c.call('POST', 'capacity-requests', 'admin', ask)).statusCode).toBe(403);
    expect((await c.call('GET', 'capacity-requests', 'erp')).statusCode).toBe(403);
    expect((await c.call('POST', `capacity-requests/${filed.id}/accept`, 'sales', {})).statusCode).toBe(403);
    expect((await c.call('POST', `capacity-requests/${crypto.randomUUID()}/accept`, 'planner', {})).statusCode).toBe(404);
    expect((await c.call('GET', `capacity-requests/${crypto.randomUUID()}`, 'planner')).statusCode).toBe(404);
    expect((await c.call('GET', 'capacity-requests/not-a-uuid', 'planner')).statusCode).toBe(400);
    expect((await c.call('GET', `/v1/plants/nowhere/capacity-requests/${filed.id}`, 'planner')).statusCode).toBe(404);
    expect((await c.call('POST', '/v1/plants/nowhere/capacity-requests', 'sales', ask)).statusCode).toBe(404);
  });
});
