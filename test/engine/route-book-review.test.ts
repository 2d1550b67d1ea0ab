import { describe, expect, it } from 'vitest';
import { endOfLocalDate, RouteBook } from '../../src/engine/index.ts';
import { d, horizon, monday, wts } from './helpers/cnc-test-plant.ts';

// Review of commit 73ebf19 (the tick places the work after the drum of an order whose D̂ it
// lowered forward from the new D̂, "so the published plan is the one the engine would make
// and the order is not reported at risk from a stale end"). That lives in
// recoverEffectiveDeadlines → pullDownstreamBack, which saw only UNPINNED orders at risk
// (RouteDrum.raised): an order at risk that was then pinned kept its D̂ and its right-shifted
// work after the drum for good, however early its drum finish came. Fixed: the recovery (and
// hasRecovered, so tickDue) also looks at the pinned orders at risk, with their forward finish
// in the pinned queue (RouteDrum.recoveredPinned).
//
// The natural way there: the floor expedites an order at risk. Same plant as
// route-book.recovered-downstream.test.ts: A (800 drum min) is never released, B (300)
// behind it is released; the tick holds A back every 30 minutes until B's plan ends after
// its promised day (its test operation right-shifted behind D̂). Then the floor puts B on
// the drum ahead of A (a drum report: pinned in progress, rank −1, as
// domain/planning/operation-progress.ts stores it). B's drum work now ends before its drum
// deadline D (Wednesday 11:40, D 13:30), so its test op comes back from where the right-shift
// put it (Friday 10:00, after the promised Thursday).

describe('review 73ebf19: an order at risk that recovers while pinned', () => {
  // As 73ebf19 does for an unpinned order: once B's drum finish is back before D, D̂ = D, its
  // test op is planned forward from D again and B's plan ends by its promised day (the
  // domain's reviewAtRisk judges a pinned order by its plan's last op).
  it('an expedited order at risk (pinned in progress, drum finish before D) is planned by its promise again', () => {
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
    expect(test.start).toBeLessThanOrEqual(Math.max(b.drumDeadline, drumEnd) + 24 * 60); // not Friday 10:00, 2 670 min after D
    expect(test.end).toBeLessThanOrEqual(promiseEnd); // by the promised day
  });

  /** The review's plant until B is at risk (D̂ > D, test op after the promised day); B released and ready. */
  const bookWithBAtRisk = () => {
    const book = new RouteBook('cnc', wts, [], { lookahead: 0 });
    book.commit(monday, 'A', d(800), book.quote(monday, d(800), horizon).promiseDate, horizon);
    book.commit(monday, 'B', d(300), book.quote(monday, d(300), horizon).promiseDate, horizon);
    book.upsert({ ...book.get('B')!, released: true });
    let now = monday;
    while (now < monday + 2900) {
      now += 30;
      book.tick(now, now + 30, horizon);
    }
    return { book, now, late: book.get('B')! };
  };

  it('an order at risk pinned as stored (no drum report settled): tickDue says so, and the tick brings it back', () => {
    const { book, now: t, late } = bookWithBAtRisk();
    expect(book.tickDue(t, t + 30)).toBe(false);
    // Stored as the floor left it: in progress, first, D̂ and the right-shifted test op unchanged.
    book.upsert({ ...late, pinned: true, pinRank: -1, drumLoad: 280 });
    expect(book.get('B')!.effectiveDeadline).toBe(late.effectiveDeadline);
    const now = t + 30;
    expect(book.tickDue(now, now + 30)).toBe(true);
    const out = book.tick(now, now + 30, horizon)!;
    const b = book.get('B')!;
    expect(b.pinned).toBe(true);
    expect(b.effectiveDeadline).toBeUndefined(); // D̂ = D
    expect(b.ops[1]!.start!).toBeGreaterThanOrEqual(b.drumDeadline);
    expect(b.ops[1]!.end!).toBeLessThanOrEqual(endOfLocalDate(wts.get('cnc')!, b.promiseDate));
    expect(out.changed.map((r) => r.id)).toContain('B');
    expect(out.atRisk.map((r) => r.id)).not.toContain('B');
    expect(book.tickDue(now, now + 30)).toBe(false);
  });

  it('an expedited order that recovers only partly: D̂ comes down to its drum finish + the tick slack, not below', () => {
    const { book, now: t, late } = bookWithBAtRisk();
    // Pinned in progress with more drum work left than fits before D (Wednesday 13:30): it ends Thursday.
    book.upsert({ ...late, pinned: true, pinRank: -1, drumLoad: 600 });
    const now = t + 30;
    const drumEnd = book.planOf(now, 'B')!.operations.find((op) => op.resource === 'cnc')!.end;
    expect(drumEnd).toBeGreaterThan(late.drumDeadline);
    expect(drumEnd + 30).toBeLessThan(late.effectiveDeadline!);
    expect(book.tickDue(now, now + 30)).toBe(true);
    book.tick(now, now + 30, horizon);
    const b = book.get('B')!;
    expect(b.effectiveDeadline).toBe(drumEnd + 30);
    const test = b.ops[1]!;
    expect(test.start!).toBeGreaterThanOrEqual(b.effectiveDeadline!); // not before its D̂
    expect(test.start!).toBeLessThan(late.ops[1]!.start!); // but pulled back
    expect(book.planOf(now, 'B')!.operations.at(-1)!.start).toBe(test.start);
    // the next ticks: its finish does not come earlier, so nothing is due for it
    expect(book.tickDue(now, now + 30)).toBe(false);
  });

  it('a pinned order later than its D̂ gets D̂ = its drum finish + the tick slack (never re-positioned), its test op behind it', () => {
    const { book, now: t, late } = bookWithBAtRisk();
    // So much drum work left that it finishes after its D̂.
    book.upsert({ ...late, pinned: true, pinRank: -1, drumLoad: 2_400 });
    const now = t + 30;
    const drumEnd = book.planOf(now, 'B')!.operations.find((op) => op.resource === 'cnc')!.end;
    expect(drumEnd).toBeGreaterThan(late.effectiveDeadline!);
    book.tick(now, now + 30, horizon);
    const b = book.get('B')!;
    // The plan says where it ends (RouteDrum.raiseLatePinned), as repositionLate does for an unpinned order.
    expect(b.effectiveDeadline).toBe(drumEnd + 30);
    expect(book.planOf(now, 'B')!.late).toBe(false);
    expect(b.ops[1]!.start!).toBeGreaterThanOrEqual(drumEnd); // behind its drum work (pinnedBehind), never pulled before it
    // A fixpoint: the next tick at the same minute has nothing to do.
    expect(book.tickDue(now, now + 30)).toBe(false);
  });
});
