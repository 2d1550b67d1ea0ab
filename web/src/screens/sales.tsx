import { useState } from 'preact/hooks';
import { api, describeError, idempotencyKey, ok, type Order, type Quote } from '../api.ts';
import { fileCapacityRequest, listCapacityRequests, type CapacityRequest } from '../capacity-requests.ts';
import { useLiveRefresh } from '../live.ts';
import { ErrorText, Loading, useLoad } from '../ui/async.tsx';
import { dateTime, field } from '../ui/format.ts';
import { ProposalList } from './proposals.tsx';
import type { ScreenProps } from './props.ts';

// Sales: ask for a date, hold it, confirm it. When the requested date cannot be kept the
// salesperson can ask the planner for capacity (a request; only a planner applies capacity).

interface Asked {
  sku: string;
  quantity: number;
  requestedDate: string | null;
  customer: string;
}

export function SalesScreen({ plant, timeZone }: ScreenProps) {
  const products = useLoad(async () => (await ok(api.GET('/v1/plants/{plant}/products', { params: { path: { plant } } }))).items, [plant]);
  const mine = useLoad(async () => {
    const [orders, events, requests] = await Promise.all([
      ok(api.GET('/v1/plants/{plant}/orders', { params: { path: { plant }, query: { limit: 100 } } })),
      ok(api.GET('/v1/me/events', { params: { query: { plant, limit: 20 } } })),
      listCapacityRequests(plant).catch(() => [] as CapacityRequest[]),
    ]);
    return { orders: orders.items, events: events.items, requests };
  }, [plant]);
  useLiveRefresh(plant, mine.reload);

  const [asked, setAsked] = useState<Asked | null>(null);
  const [quote, setQuote] = useState<Quote | null>(null);
  const [hold, setHold] = useState<Order | null>(null);
  const [confirmed, setConfirmed] = useState<Order | null>(null);
  const [filed, setFiled] = useState<CapacityRequest | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [quantity, setQuantity] = useState('10');

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  const onQuote = (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const next: Asked = {
      sku: field(form, 'sku'),
      quantity: Number(form.get('quantity')),
      requestedDate: field(form, 'requestedDate') || null,
      customer: field(form, 'customer').trim(),
    };
    void run(async () => {
      setQuote(null);
      setHold(null);
      setConfirmed(null);
      setFiled(null);
      const q = await ok(
        api.POST('/v1/plants/{plant}/quotes', {
          params: { path: { plant } },
          body: {
            sku: next.sku,
            quantity: next.quantity,
            ...(next.requestedDate ? { requestedDate: next.requestedDate } : {}),
            ...(next.customer ? { customer: next.customer } : {}),
          },
        }),
      );
      setAsked(next);
      setQuote(q);
    });
  };

  const onHold = () =>
    run(async () => {
      if (!asked || !quote) return;
      const h = await ok(
        api.POST('/v1/plants/{plant}/holds', {
          params: { path: { plant }, header: { 'idempotency-key': idempotencyKey() } },
          body: {
            sku: asked.sku,
            quantity: asked.quantity,
            promiseDate: quote.earliestPromiseDate,
            quoteId: quote.quoteId,
            ...(asked.customer ? { customer: asked.customer } : {}),
          },
        }),
      );
      setHold(h);
      mine.reload();
    });

  const onConfirm = () =>
    run(async () => {
      if (!hold) return;
      const o = await ok(
        api.POST('/v1/plants/{plant}/holds/{id}/confirm', {
          params: { path: { plant, id: hold.id }, header: { 'idempotency-key': idempotencyKey() } },
          body: {},
        }),
      );
      setConfirmed(o);
      setHold(null);
      mine.reload();
    });

  const onAskPlanner = () =>
    run(async () => {
      if (!asked || !quote || !asked.requestedDate) return;
      const r = await fileCapacityRequest(
        plant,
        { sku: asked.sku, quantity: asked.quantity, requestedDate: asked.requestedDate, quoteId: quote.quoteId },
        idempotencyKey(),
      );
      setFiled(r);
      mine.reload();
    });

  const refused = quote && quote.requestedDate !== null && quote.requestedDateFeasible === false;
  return (
    <section aria-labelledby="sales-title">
      <h1 id="sales-title">Quotes &amp; my orders</h1>
      <div class="two-col">
        <div class="panel">
          <h2>Ask for a date</h2>
          {!products.value ? (
            <Loading failed={!!products.error} />
          ) : (
            <form class="stack" onSubmit={onQuote}>
              <label>
                Product
                <select name="sku" required>
                  {products.value.map((p) => (
                    <option key={p.sku} value={p.sku}>
                      {p.sku} — {p.name}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Quantity
                <input
                  name="quantity"
                  type="number"
                  min={1}
                  required
                  value={quantity}
                  onInput={(e) => setQuantity(e.currentTarget.value)}
                />
              </label>
              <label>
                Requested date (optional)
                <input name="requestedDate" type="date" />
              </label>
              <label>
                Customer (optional)
                <input name="customer" type="text" autocomplete="off" />
              </label>
              <button type="submit" disabled={busy}>
                Get earliest date
              </button>
            </form>
          )}
          <ErrorText error={error ?? products.error} />
        </div>

        <div class="panel" aria-live="polite">
          <h2>Answer</h2>
          {!quote && !confirmed && <p class="muted">Ask for a date to see what the plant can promise.</p>}
          {quote && asked && (
            <div class="quote" data-quote={quote.quoteId}>
              <p class="big">
                Earliest date: <strong data-testid="earliest">{quote.earliestPromiseDate}</strong>
              </p>
              <p>
                {asked.sku} × {asked.quantity}
                {quote.requestedDate && (
                  <>
                    {' · requested '}
                    {quote.requestedDate}{' '}
                    {quote.requestedDateFeasible ? (
                      <span class="tag tag-ok">✓ can be kept</span>
                    ) : (
                      <span class="tag tag-late">✗ cannot be kept</span>
                    )}
                  </>
                )}
              </p>
              {refused && (
                <div class="refused">
                  {quote.capacityNeeded && <p>{quote.capacityNeeded.suggestion.text}</p>}
                  {quote.proposals && quote.proposals.length > 0 && <ProposalList proposals={quote.proposals} />}
                  {quote.capacityNeeded?.bindingLimit === 'lead-time-floor' ? (
                    <p class="muted">Inside the standard lead time: no capacity can buy this date.</p>
                  ) : filed ? (
                    <p class="ok" role="status">
                      Capacity request filed for {filed.requestedDate}; the planner decides. You see the answer under “My capacity
                      requests”.
                    </p>
                  ) : (
                    <button type="button" onClick={() => void onAskPlanner()} disabled={busy}>
                      Ask planner for capacity
                    </button>
                  )}
                </div>
              )}
              {!hold && !confirmed && (
                <button type="button" onClick={() => void onHold()} disabled={busy}>
                  Hold {quote.earliestPromiseDate}
                </button>
              )}
            </div>
          )}
          {hold && (
            <div class="hold" data-hold={hold.id}>
              <p role="status">
                Held for {hold.promiseDate}, until {dateTime(hold.expiresAt, timeZone)}.
              </p>
              <button type="button" onClick={() => void onConfirm()} disabled={busy}>
                Confirm order
              </button>
            </div>
          )}
          {confirmed && (
            <p class="ok" role="status" data-confirmed={confirmed.id}>
              Order confirmed: {confirmed.sku} × {confirmed.quantity}, promised {confirmed.promiseDate}.
            </p>
          )}
        </div>
      </div>

      <h2>My holds and orders</h2>
      <ErrorText error={mine.error} />
      {!mine.value ? (
        <Loading failed={!!mine.error} />
      ) : mine.value.orders.length === 0 ? (
        <p class="muted">No orders yet.</p>
      ) : (
        <table class="grid" aria-label="My holds and orders">
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Status</th>
              <th scope="col">Promise</th>
              <th scope="col">Risk</th>
            </tr>
          </thead>
          <tbody>
            {mine.value.orders.map((o) => (
              <tr key={o.id} data-order={o.id}>
                <td>
                  {o.sku} × {o.quantity} {o.customer ? `· ${o.customer}` : ''}
                </td>
                <td>
                  {o.status.replace('_', ' ')}
                  {o.status === 'held' && o.expiresAt ? ` until ${dateTime(o.expiresAt, timeZone)}` : ''}
                </td>
                <td>
                  {o.promiseDate}
                  {o.originalPromiseDate && o.originalPromiseDate !== o.promiseDate ? ` (first ${o.originalPromiseDate})` : ''}
                </td>
                <td>
                  {o.atRisk ? (
                    <span class="tag tag-late">⚠ at risk, projected {dateTime(o.atRisk.projectedFinish, timeZone)}</span>
                  ) : (
                    <span class="muted">on track</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {mine.value && mine.value.requests.length > 0 && (
        <>
          <h2>My capacity requests</h2>
          <ul class="plain" aria-label="My capacity requests">
            {mine.value.requests.map((r) => (
              <li key={r.id} data-request={r.id} data-status={r.status}>
                {r.sku} × {r.quantity} for {r.requestedDate}: <strong>{r.status}</strong>
                {r.decisionReason ? ` — ${r.decisionReason}` : ''}
                {r.outcome && (
                  <span class="outcome">
                    {' — '}
                    {r.outcome.order
                      ? `your hold is promised ${r.outcome.order.promiseDate}`
                      : r.outcome.requestedDateKeepable
                        ? `${r.requestedDate} can now be kept: quote again to hold it`
                        : `${r.requestedDate} still cannot be kept`}
                  </span>
                )}
              </li>
            ))}
          </ul>
        </>
      )}

      {mine.value && mine.value.events.length > 0 && (
        <>
          <h2>Changes</h2>
          <ul class="plain changes" aria-label="Changes to my orders">
            {[...mine.value.events].reverse().map((e) => (
              <li key={e.seq}>
                <span class="muted">{dateTime(e.at, timeZone)}</span> {e.type}
                {e.orderId ? ` · order ${e.orderId.slice(0, 8)}` : ''}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
