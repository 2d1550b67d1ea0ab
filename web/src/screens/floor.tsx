import { useRef, useState } from 'preact/hooks';
import { api, describeError, ok } from '../api.ts';
import { useLiveRefresh } from '../live.ts';
import { can } from '../roles.ts';
import { ErrorText, Loading, useLoad } from '../ui/async.tsx';
import { dateTime, minutes } from '../ui/format.ts';
import { usePages } from '../ui/paged.ts';
import { VirtualList } from '../ui/virtual-list.tsx';
import { ZoneBadge } from '../ui/zone.tsx';
import type { ScreenProps } from './props.ts';

// The rope and the floor: what to release today (and what is overdue), then the orders in work
// with their progress, completion and shipment.

interface Done {
  orderId: string;
  sku: string;
  quantity: number;
}

// Rows per request: the first page of the release list shows at once, the next ones load as it
// scrolls; the in-work list shows the first page only (the orders the floor works first).
const PAGE = 200;
const MAX_PAGE = 1000;

export function FloorScreen({ plant, role, timeZone }: ScreenProps) {
  const releasePage = (offset: number, limit = PAGE) =>
    ok(api.GET('/v1/plants/{plant}/release-list', { params: { path: { plant }, query: { limit, offset } } }));
  // A reload (live update, an action) asks again for as many rows as were shown (up to the server's 1,000).
  const shown = useRef(PAGE);
  const data = useLoad(async () => {
    const [releases, board, completed] = await Promise.all([
      releasePage(0, shown.current),
      ok(api.GET('/v1/plants/{plant}/buffer-board', { params: { path: { plant }, query: { limit: PAGE, scope: 'in-work' } } })),
      can.listOrders(role)
        ? ok(api.GET('/v1/plants/{plant}/orders', { params: { path: { plant }, query: { status: 'completed', limit: 200 } } })).then((r) =>
            r.items.map((o) => ({ orderId: o.id, sku: o.sku, quantity: o.quantity })),
          )
        : Promise.resolve(null),
    ]);
    return { releases, inWork: board.items, inWorkTotal: board.total, completed };
  }, [plant, role]);
  // A role that may not list orders still ships what it completed here.
  const [completedHere, setCompletedHere] = useState<Done[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useLiveRefresh(plant, data.reload);
  const releases = usePages(data.value?.releases, releasePage, data.reload);
  shown.current = Math.min(MAX_PAGE, Math.max(PAGE, releases.items.length));

  const act = async (label: string, run: () => Promise<unknown>) => {
    setError(null);
    try {
      await run();
      setMessage(label);
      data.reload();
    } catch (e) {
      setError(describeError(e));
    }
  };
  const orderPath = (id: string) => ({ params: { path: { plant, id } } });

  const v = data.value;
  const toShip = v ? (v.completed ?? completedHere) : [];
  return (
    <section aria-labelledby="floor-title">
      <h1 id="floor-title">Release &amp; floor</h1>
      <p class="status-line" role="status">
        {message}
      </p>
      <ErrorText error={error ?? data.error} />
      {!v ? (
        <Loading failed={!!data.error} />
      ) : (
        <>
          <h2>Release today ({v.releases.total})</h2>
          {v.releases.total === 0 ? (
            <p class="muted">Nothing to release today.</p>
          ) : (
            <VirtualList
              label="Release list"
              items={releases.items}
              onNearEnd={releases.more}
              rowHeight={48}
              height={Math.min(420, Math.max(200, window.innerHeight / 2))}
              itemKey={(r) => r.orderId}
              render={(r) => (
                <div class={r.overdue ? 'release-row overdue' : 'release-row'} data-order={r.orderId}>
                  <span class="muted">#{r.priority}</span>
                  <span>
                    <strong>{r.sku}</strong> × {r.quantity} {r.customer ? `· ${r.customer}` : ''}
                    {r.overdue && <span class="tag tag-late">overdue</span>}
                  </span>
                  <span class="small">
                    release {dateTime(r.plannedRelease, timeZone)} · promised {r.promiseDate} · drum {minutes(r.drumLoadMinutes)}
                  </span>
                  <span>
                    {can.release(role) && (
                      <button
                        type="button"
                        onClick={() =>
                          void act(`Released ${r.sku} × ${r.quantity}`, () =>
                            ok(api.POST('/v1/plants/{plant}/orders/{id}/release', { ...orderPath(r.orderId), body: {} })),
                          )
                        }
                      >
                        Release {r.sku}
                      </button>
                    )}
                  </span>
                </div>
              )}
            />
          )}

          <h2>In work ({v.inWorkTotal})</h2>
          {v.inWorkTotal > PAGE && <p class="muted">The {PAGE} with the highest buffer penetration:</p>}
          {v.inWork.length === 0 ? (
            <p class="muted">No order is released.</p>
          ) : (
            <ul class="plain work-list">
              {v.inWork.map((o) => (
                <WorkItem
                  key={o.orderId}
                  plant={plant}
                  role={role}
                  order={o}
                  onProgress={(m) =>
                    act(`Reported ${minutes(m)} done on ${o.sku}`, () =>
                      ok(
                        api.POST('/v1/plants/{plant}/orders/{id}/progress', {
                          ...orderPath(o.orderId),
                          body: { drumMinutesDone: m },
                        }),
                      ),
                    )
                  }
                  onOperation={(position, status) =>
                    act(`Operation ${position} of ${o.sku} ${status}`, () =>
                      ok(
                        api.POST('/v1/plants/{plant}/orders/{id}/operations/{position}/progress', {
                          params: { path: { plant, id: o.orderId, position: String(position) } },
                          body: { status },
                        }),
                      ),
                    )
                  }
                  onComplete={() =>
                    act(`Completed ${o.sku} × ${o.quantity}`, async () => {
                      await ok(api.POST('/v1/plants/{plant}/orders/{id}/complete', { ...orderPath(o.orderId), body: {} }));
                      setCompletedHere((list) => [...list, { orderId: o.orderId, sku: o.sku, quantity: o.quantity }]);
                    })
                  }
                />
              ))}
            </ul>
          )}

          <h2>Ready to ship ({toShip.length})</h2>
          {toShip.length === 0 ? (
            <p class="muted">Nothing completed awaits shipment.</p>
          ) : (
            <ul class="plain">
              {toShip.map((o) => (
                <li key={o.orderId} data-order={o.orderId}>
                  {o.sku} × {o.quantity}{' '}
                  {can.progress(role) && (
                    <button
                      type="button"
                      onClick={() =>
                        void act(`Shipped ${o.sku} × ${o.quantity}`, async () => {
                          await ok(api.POST('/v1/plants/{plant}/orders/{id}/ship', { ...orderPath(o.orderId), body: {} }));
                          setCompletedHere((list) => list.filter((x) => x.orderId !== o.orderId));
                        })
                      }
                    >
                      Ship {o.sku}
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

interface WorkOrder {
  orderId: string;
  sku: string;
  quantity: number;
  zone: 'green' | 'yellow' | 'red' | 'black';
  status: string;
  drumMinutesDone: number;
  drumLoadMinutes: number;
}

function WorkItem(props: {
  plant: string;
  role: ScreenProps['role'];
  order: WorkOrder;
  onProgress: (minutesDone: number) => Promise<void>;
  onOperation: (position: number, status: 'started' | 'completed') => Promise<void>;
  onComplete: () => Promise<void>;
}) {
  const { order: o, role } = props;
  const [ops, setOps] = useState<{ position: number; resource: string; minutes: number }[] | null>(null);
  const [done, setDone] = useState(String(o.drumMinutesDone));
  const inputId = `done-${o.orderId}`;
  const showOps = async () => {
    const plan = await ok(api.GET('/v1/plants/{plant}/orders/{id}/plan', { params: { path: { plant: props.plant, id: o.orderId } } }));
    setOps(plan.operations);
  };
  return (
    <li class="work" data-order={o.orderId}>
      <div class="work-head">
        <ZoneBadge zone={o.zone} /> <strong>{o.sku}</strong> × {o.quantity} · {o.status.replace('_', ' ')} · drum{' '}
        {minutes(o.drumMinutesDone)} / {minutes(o.drumLoadMinutes)}
      </div>
      {can.progress(role) && (
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            void props.onProgress(Number(done));
          }}
        >
          <label for={inputId}>Drum minutes done</label>
          <input id={inputId} type="number" min={0} max={o.drumLoadMinutes} value={done} onInput={(e) => setDone(e.currentTarget.value)} />
          <button type="submit">Report progress</button>
          <button type="button" onClick={() => void showOps().catch(() => setOps([]))} aria-expanded={ops !== null}>
            Operations
          </button>
          <button type="button" onClick={() => void props.onComplete()}>
            Complete {o.sku}
          </button>
        </form>
      )}
      {ops && (
        <ul class="plain ops" aria-label={`Operations of ${o.sku}`}>
          {ops.map((op) => (
            <li key={op.position}>
              {op.position}. {op.resource} · {minutes(op.minutes)}{' '}
              <button type="button" onClick={() => void props.onOperation(op.position, 'started')}>
                Started
              </button>{' '}
              <button type="button" onClick={() => void props.onOperation(op.position, 'completed')}>
                Done
              </button>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
