import { describe, expect, it } from 'vitest';
import { endOfLocalDate, RouteBook } from '../../src/engine/index.ts';
import { d, horizon, monday, wts } from './helpers/cnc-test-plant.ts';

// Review of commit 73ebf19 (the tick places the work after the drum of an order whose D̂ it
// lowered forward from the new D̂, "so the published plan is the one the engine would make
// and the order is not reported at risk from a stale end"). The fix lives in
// recoverEffectiveDeadlines → pullDownstreamBack, which only sees UNPINNED orders at risk
// (RouteDrum.raised). An order at risk that is then pinned keeps its D̂ and its
// right-shifted work after the drum for good, however early its drum finish comes.
//
// The natural way there: the floor expedites an order at risk. Same plant as
// route-book.recovered-downstream.test.ts: A (800 drum min) is never released, B (300)
// behind it is released; the tick holds A back every 30 minutes until B's plan ends after
// its promised day (its test operation right-shifted behind D̂). Then the floor puts B on
// the drum ahead of A (a drum report: pinned in progress, rank −1, as
// domain/planning/operation-progress.ts stores it). B's drum work now ends before its drum
// deadline D, but its test op stays where the right-shift put it, after the promised day.

describe('review 73ebf19: an order at risk that recovers while pinned', () => {
  // Expected (what 73ebf19 does for an unpinned order): once B's drum finish is back before
  // D, its test op is planned forward from D again and B's plan ends by its promised day.
  // Actual: D̂ stays 2 600 minutes above D, the test op is planned Friday 10:00 (after the
  // promised Thursday; the drum ends Wednesday 11:40, D is 13:30), the tick sees nothing to do (tickDue
  // false), and the
  // domain's reviewAtRisk (which judges a pinned order by its plan's last op) keeps B at risk.
  it.fails('an expedited order at risk (pinned in progress, drum finish before D) is planned by its promise again', () => {
    const book = new RouteBook('cnc', wts, [], { lookahead: 0 });
    book.commit(monday, 'A', d(800), book.quote(monday, d(800), horizon).promiseDate, horizon);
    book.commit(monday, 'B', d(300), book.quote(monday, d(300), horizon).promiseDate, horizon);
    book.upsert({ ...book.get('B')!, released: true });
    let now = monday;
    while (now < monday + 2900) {
      now += 30;
      book.tick(now, now + 30, horizon);
    }
    const late = book.get('B')!;
    const promiseEnd = endOfLocalDate(wts.get('cnc')!, late.promiseDate);
    expect(late.effectiveDeadline!).toBeGreaterThan(late.drumDeadline);
    expect(late.ops[1]!.end!).toBeGreaterThan(promiseEnd); // at risk, truly, at this point
    expect(late.ready).toBeLessThanOrEqual(now);

    // The floor starts B on the drum now (20 of 300 minutes done): pinned in progress, first.
    book.upsert({ ...book.get('B')!, pinned: true, pinRank: -1, drumLoad: 280 });
    book.settleDrumReport(now, 'B', horizon);
    now += 30;
    book.tick(now, now + 30, horizon);

    const b = book.get('B')!;
    const plan = book.planOf(now, 'B')!;
    const drumEnd = plan.operations.find((op) => op.resource === 'cnc')!.end;
    expect(drumEnd).toBeLessThanOrEqual(b.drumDeadline); // the drum is back on time
    const test = plan.operations.find((op) => op.resource === 'test')!;
    expect(test.start).toBeLessThanOrEqual(Math.max(b.drumDeadline, drumEnd) + 24 * 60); // actual: Friday 10:00, 2 670 min after D
    expect(test.end).toBeLessThanOrEqual(promiseEnd); // actual: after the promised day
  });
});
