import { useState } from 'preact/hooks';
import { api, describeError, idempotencyKey, ok } from '../api.ts';
import { acceptCapacityRequest, declineCapacityRequest, listCapacityRequests } from '../capacity-requests.ts';
import { useLiveRefresh } from '../live.ts';
import { ErrorText, Loading, useLoad } from '../ui/async.tsx';
import { addDays, dateTime, field, minutes, today } from '../ui/format.ts';
import { ProposalList } from './proposals.tsx';
import type { ScreenProps } from './props.ts';

// Capacity decisions (planner): a change previewed before it is applied, the inbox of requests
// from sales, and explicit re-promises (with a reason) of late or at-risk orders.

type Kind = 'overtime' | 'extra_shift' | 'downtime' | 'holiday';

interface ChangeInput {
  resource: string;
  kind: Kind;
  date: string;
  start?: string;
  end?: string;
  reason: string;
}

export function CapacityScreen(props: ScreenProps) {
  // One event stream for the screen (the server bounds streams per key); each event reloads the panels' data.
  const [tick, setTick] = useState(0);
  useLiveRefresh(props.plant, () => setTick((t) => t + 1));
  return (
    <section aria-labelledby="capacity-title">
      <h1 id="capacity-title">Capacity</h1>
      <CapacityChange {...props} />
      <RequestInbox {...props} tick={tick} />
      <Repromise {...props} tick={tick} />
    </section>
  );
}

type Outcome = Awaited<ReturnType<typeof postChange>>;

async function postChange(
  plant: string,
  input: ChangeInput,
  preview: boolean,
  repromises?: { orderId: string; promiseDate: string; reason: string }[],
) {
  return ok(
    api.POST('/v1/plants/{plant}/capacity-changes', {
      params: {
        path: { plant },
        query: preview ? { preview: 'true' } : {},
        header: preview ? {} : { 'idempotency-key': idempotencyKey() },
      },
      body: { ...input, ...(repromises && repromises.length > 0 ? { repromises } : {}) },
    }),
  );
}

function CapacityChange({ plant }: ScreenProps) {
  const resources = useLoad(
    async () => (await ok(api.GET('/v1/plants/{plant}/resources', { params: { path: { plant } } }))).items,
    [plant],
  );
  const [input, setInput] = useState<ChangeInput | null>(null);
  const [preview, setPreview] = useState<Outcome | null>(null);
  const [applied, setApplied] = useState<Outcome | null>(null);
  const [error, setError] = useState<string | null>(null);

  const onPreview = (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const kind = field(f, 'kind') as Kind;
    const start = field(f, 'start');
    const end = field(f, 'end');
    const next: ChangeInput = {
      resource: field(f, 'resource'),
      kind,
      date: field(f, 'date'),
      reason: field(f, 'reason').trim(),
      ...(kind !== 'holiday' && start ? { start } : {}),
      ...(kind !== 'holiday' && end ? { end } : {}),
    };
    setError(null);
    setApplied(null);
    postChange(plant, next, true).then(
      (p) => {
        setInput(next);
        setPreview(p);
      },
      (err: unknown) => {
        setPreview(null);
        setError(describeError(err));
      },
    );
  };

  const onApply = () => {
    if (!input || !preview) return;
    // Orders the change would make late move to their earliest feasible date, for the same reason.
    const repromises = preview.late.map((l) => ({ orderId: l.orderId, promiseDate: l.earliestPromiseDate, reason: input.reason }));
    postChange(plant, input, false, repromises).then(
      (r) => {
        setApplied(r);
        setPreview(null);
      },
      (err: unknown) => setError(describeError(err)),
    );
  };

  return (
    <div class="panel">
      <h2>Change capacity</h2>
      {!resources.value ? (
        <Loading failed={!!resources.error} />
      ) : (
        <form class="row-form" onSubmit={onPreview} onInput={() => setPreview(null)}>
          <label>
            Resource
            <select name="resource">
              {resources.value.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                  {r.drum ? ' (drum)' : ''}
                </option>
              ))}
            </select>
          </label>
          <label>
            Kind
            <select name="kind">
              <option value="overtime">Overtime</option>
              <option value="extra_shift">Extra shift</option>
              <option value="downtime">Downtime</option>
              <option value="holiday">Holiday</option>
            </select>
          </label>
          <label>
            Date
            <input name="date" type="date" required defaultValue={addDays(today(), 1)} />
          </label>
          <label>
            From
            <input name="start" type="time" defaultValue="22:00" />
          </label>
          <label>
            To
            <input name="end" type="time" defaultValue="23:59" />
          </label>
          <label class="wide">
            Reason
            <input name="reason" type="text" required minLength={3} />
          </label>
          <button type="submit">Preview</button>
        </form>
      )}
      <ErrorText error={error ?? resources.error} />
      {preview && input && (
        <div class="preview" data-testid="preview" aria-live="polite">
          <h3>Preview (nothing changed yet)</h3>
          <p>
            {input.kind.replace('_', ' ')} on {input.resource} {input.date}: {preview.minutesDelta >= 0 ? '+' : '−'}
            {minutes(Math.abs(preview.minutesDelta))} of working time; {preview.movedCount} orders move, {preview.late.length} would become
            late{preview.stillLate.length ? `, ${preview.stillLate.length} stay late` : ''}.
          </p>
          {preview.late.length > 0 && (
            <>
              <p>Applying re-promises these orders to their earliest feasible date:</p>
              <ul class="plain">
                {preview.late.map((l) => (
                  <li key={l.orderId}>
                    order {l.orderId.slice(0, 8)}: {l.promiseDate} → {l.earliestPromiseDate}
                  </li>
                ))}
              </ul>
            </>
          )}
          <button type="button" onClick={onApply}>
            Apply change
          </button>
        </div>
      )}
      {applied && (
        <p class="ok" role="status">
          Applied: schedule version {applied.scheduleVersion}, {applied.movedCount} orders moved
          {applied.repromised.length ? `, ${applied.repromised.length} re-promised` : ''}.
        </p>
      )}
    </div>
  );
}

function RequestInbox({ plant, tick }: ScreenProps & { tick: number }) {
  const inbox = useLoad(() => listCapacityRequests(plant), [plant, tick]);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const decide = (work: Promise<unknown>, what: string) =>
    work.then(
      () => {
        setMessage(what);
        setError(null);
        inbox.reload();
      },
      (e: unknown) => setError(describeError(e)),
    );
  const open = (inbox.value ?? []).filter((r) => r.status === 'open');
  const decided = (inbox.value ?? []).filter((r) => r.status !== 'open').slice(0, 10);
  return (
    <div class="panel">
      <h2>Capacity requests from sales ({open.length} open)</h2>
      <p class="status-line" role="status">
        {message}
      </p>
      <ErrorText error={error ?? inbox.error} />
      {!inbox.value ? (
        <Loading failed={!!inbox.error} />
      ) : open.length === 0 ? (
        <p class="muted">No open request.</p>
      ) : (
        <ul class="plain inbox">
          {open.map((r) => (
            <li key={r.id} data-request={r.id}>
              <p>
                <strong>
                  {r.sku} × {r.quantity}
                </strong>{' '}
                wanted {r.requestedDate} (earliest now {r.earliestPromiseDate}){r.filedBy ? ` · from ${r.filedBy}` : ''}
                {r.note ? ` · “${r.note}”` : ''}
              </p>
              <ProposalList
                proposals={r.proposals}
                action={(i) => void decide(acceptCapacityRequest(plant, r.id, i), `Accepted proposal ${i + 1} for ${r.sku}`)}
              />
              <DeclineForm
                id={r.id}
                onDecline={(reason) => void decide(declineCapacityRequest(plant, r.id, reason), `Declined ${r.sku}`)}
              />
            </li>
          ))}
        </ul>
      )}
      {decided.length > 0 && (
        <details>
          <summary>Decided recently</summary>
          <ul class="plain">
            {decided.map((r) => (
              <li key={r.id}>
                {r.sku} × {r.quantity} for {r.requestedDate}: {r.status}
                {r.decisionReason ? ` — ${r.decisionReason}` : ''}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

function DeclineForm({ id, onDecline }: { id: string; onDecline: (reason: string) => void }) {
  const [reason, setReason] = useState('');
  return (
    <form
      class="inline"
      onSubmit={(e) => {
        e.preventDefault();
        onDecline(reason.trim());
      }}
    >
      <label for={`decline-${id}`}>Reason</label>
      <input id={`decline-${id}`} type="text" required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      <button type="submit">Decline</button>
    </form>
  );
}

function Repromise({ plant, timeZone, tick }: ScreenProps & { tick: number }) {
  const risky = useLoad(
    async () => (await ok(api.GET('/v1/plants/{plant}/at-risk', { params: { path: { plant } } }))).items,
    [plant, tick],
  );
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <div class="panel">
      <h2>Late and at-risk orders</h2>
      <p class="status-line" role="status">
        {message}
      </p>
      <ErrorText error={error ?? risky.error} />
      {!risky.value ? (
        <Loading failed={!!risky.error} />
      ) : risky.value.length === 0 ? (
        <p class="muted">No order is at risk.</p>
      ) : (
        <ul class="plain">
          {risky.value.slice(0, 100).map((r) => (
            <li key={r.orderId} data-order={r.orderId}>
              <p>
                <span aria-hidden="true">⚠</span> {r.sku} × {r.quantity} {r.customer ? `· ${r.customer}` : ''} · promised {r.promiseDate} ·
                projected {dateTime(r.projectedFinish, timeZone)} · {r.reason}
              </p>
              <RepromiseForm
                orderId={r.orderId}
                suggested={r.projectedFinish ? addDays(r.projectedFinish.slice(0, 10), 1) : addDays(r.promiseDate, 1)}
                onSubmit={(promiseDate, reason) =>
                  ok(
                    api.POST('/v1/plants/{plant}/orders/{id}/repromise', {
                      params: { path: { plant, id: r.orderId } },
                      body: { promiseDate, reason },
                    }),
                  ).then(
                    (o) => {
                      setMessage(`Re-promised ${o.sku} × ${o.quantity} to ${o.promiseDate}`);
                      setError(null);
                      risky.reload();
                    },
                    (e: unknown) => setError(describeError(e)),
                  )
                }
              />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function RepromiseForm(props: { orderId: string; suggested: string; onSubmit: (date: string, reason: string) => Promise<void> }) {
  const [date, setDate] = useState(props.suggested);
  const [reason, setReason] = useState('');
  return (
    <form
      class="inline"
      onSubmit={(e) => {
        e.preventDefault();
        void props.onSubmit(date, reason.trim());
      }}
    >
      <label for={`rp-date-${props.orderId}`}>New date</label>
      <input id={`rp-date-${props.orderId}`} type="date" required value={date} onInput={(e) => setDate(e.currentTarget.value)} />
      <label for={`rp-reason-${props.orderId}`}>Reason</label>
      <input id={`rp-reason-${props.orderId}`} type="text" required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      <button type="submit">Re-promise</button>
    </form>
  );
}
