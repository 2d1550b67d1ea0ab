import { useRef } from 'preact/hooks';
import { api, ok } from '../api.ts';
import { useLiveRefresh } from '../live.ts';
import { ErrorText, Loading, useLoad } from '../ui/async.tsx';
import { dateTime, minutes } from '../ui/format.ts';
import { usePages } from '../ui/paged.ts';
import { VirtualList } from '../ui/virtual-list.tsx';
import { ZONES, ZoneBadge } from '../ui/zone.tsx';
import type { ScreenProps } from './props.ts';

// The buffer board: open orders released or due for release, highest penetration first (the
// order the floor works in), each coloured AND labelled by zone, at-risk orders marked.

const RISK_TEXT: Record<string, string> = {
  'release-overdue': 'release overdue',
  resource: 'a resource is overloaded',
  'progress-behind': 'progress behind plan',
  breakdown: 'breakdown',
  'initial-load': 'initial load',
  'material-late': 'material arrives late',
};

// Cards per request: the first page shows at once, the next ones load as the list scrolls.
const PAGE = 200;
const MAX_PAGE = 1000;

export function BoardScreen({ plant, timeZone }: ScreenProps) {
  const page = (offset: number, limit = PAGE) =>
    ok(api.GET('/v1/plants/{plant}/buffer-board', { params: { path: { plant }, query: { limit, offset } } }));
  // A live reload asks again for as many cards as were shown (up to the server's 1,000), so the list does not jump back.
  const shown = useRef(PAGE);
  const board = useLoad(async () => {
    const [b, r] = await Promise.all([page(0, shown.current), ok(api.GET('/v1/plants/{plant}/at-risk', { params: { path: { plant } } }))]);
    // On the board (any page): released and in progress, and confirmed ones whose release is due.
    const onBoard = (i: (typeof r.items)[number]) =>
      i.status !== 'confirmed' || (i.plannedRelease !== null && Date.parse(i.plannedRelease) <= Date.parse(b.computedAt));
    return { ...b, atRiskElsewhere: r.items.filter((i) => !onBoard(i)) };
  }, [plant]);
  const live = useLiveRefresh(plant, board.reload);
  const data = board.value;
  const cards = usePages(data, page, board.reload);
  shown.current = Math.min(MAX_PAGE, Math.max(PAGE, cards.items.length));
  return (
    <section aria-labelledby="board-title">
      <div class="screen-head">
        <h1 id="board-title">Buffer board</h1>
        <span class={`live live-${live}`} role="status">
          {live === 'live' ? 'Live' : live === 'connecting' ? 'Connecting…' : 'Offline'}
        </span>
      </div>
      <ErrorText error={board.error} />
      {!data ? (
        <Loading failed={!!board.error} />
      ) : (
        <>
          <ul class="zone-counts" aria-label="Orders per zone">
            {ZONES.map((z) => (
              <li key={z} class={`count count-${z}`} data-zone={z}>
                <ZoneBadge zone={z} /> <strong>{data.counts[z]}</strong>
              </li>
            ))}
            <li class="count">
              At risk <strong>{data.atRiskCount}</strong>
            </li>
          </ul>
          {data.total === 0 ? (
            <p>No open order is released or due for release.</p>
          ) : (
            <VirtualList
              label="Orders by buffer penetration"
              items={cards.items}
              onNearEnd={cards.more}
              rowHeight={76}
              height={Math.max(320, window.innerHeight - 230)}
              itemKey={(i) => i.orderId}
              render={(item) => (
                <article class={`card card-${item.zone}`} data-order={item.orderId} data-zone={item.zone}>
                  <div class="card-zone">
                    <ZoneBadge zone={item.zone} />
                    <span class="pen">{Math.round(item.penetration)} %</span>
                  </div>
                  <div class="card-main">
                    <div>
                      <strong>{item.sku}</strong> × {item.quantity} {item.customer ? `· ${item.customer}` : ''}
                    </div>
                    <div class="muted small">
                      #{item.priority} · {item.status.replace('_', ' ')}
                      {item.releaseDue ? ' · release due' : ''} · promised {item.promiseDate} · drum {minutes(item.drumMinutesDone)} /{' '}
                      {minutes(item.drumLoadMinutes)}
                    </div>
                  </div>
                  {item.atRisk ? (
                    <div class="risk" data-at-risk="true">
                      <span aria-hidden="true">⚠</span> At risk: {RISK_TEXT[item.atRisk.reason] ?? item.atRisk.reason}
                      {item.atRisk.resource ? ` (${item.atRisk.resource})` : ''}
                      <div class="small">projected {dateTime(item.atRisk.projectedFinish, timeZone)}</div>
                    </div>
                  ) : (
                    <div class="risk-none small muted">on track</div>
                  )}
                </article>
              )}
            />
          )}
          {data.atRiskElsewhere.length > 0 && (
            <>
              <h2>At risk, not yet due for release</h2>
              <ul class="plain">
                {data.atRiskElsewhere.slice(0, 50).map((r) => (
                  <li key={r.orderId} data-at-risk="true">
                    <span aria-hidden="true">⚠</span> {r.sku} × {r.quantity} {r.customer ? `· ${r.customer}` : ''} · promised{' '}
                    {r.promiseDate} · projected {dateTime(r.projectedFinish, timeZone)} · {RISK_TEXT[r.reason] ?? r.reason}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}
