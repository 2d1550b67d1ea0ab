import { describe, expect, it } from 'vitest';
import { RouteBook } from '../../src/engine/index.ts';
import { d, horizon, monday, wts } from './helpers/cnc-test-plant.ts';

// A partly recovered order's work after the drum: the tick made B late on the drum (D̂ > D)
// and right-shifted its test operation behind D̂; a cancellation ahead of it brings its drum
// finish back before D, and the tick lowers D̂ to D. Its test operation must come back too:
// the published plan is the one the engine would make (a commit places the work after the
// drum forward from the drum deadline), and the tick must not report B at risk from a stale
// operation end.

describe('the tick moves the work after the drum of a recovered order back', () => {
  it('after a cancellation brings a late order back on time, its test op is planned from its drum deadline again', () => {
    const book = new RouteBook('cnc', wts, [], { lookahead: 0 });
    book.commit(monday, 'A', d(800), book.quote(monday, d(800), horizon).promiseDate, horizon);
    book.commit(monday, 'B', d(300), book.quote(monday, d(300), horizon).promiseDate, horizon);
    book.upsert({ ...book.get('B')!, released: true });
    const testStartAtCommit = book.get('B')!.ops[1]!.start!;
    // A is never released: the tick holds it back every 30 minutes until B, behind it, is late.
    let now = monday;
    while (now < monday + 480) {
      now += 30;
      book.tick(now, now + 30, horizon);
    }
    const late = book.get('B')!;
    expect(late.effectiveDeadline).toBeGreaterThan(late.drumDeadline);
    expect(late.ops[1]!.start!).toBeGreaterThanOrEqual(late.effectiveDeadline!);
    book.remove('A');
    now += 30;
    const out = book.tick(now, now + 30, horizon)!;
    const b = book.get('B')!;
    expect(b.effectiveDeadline).toBeUndefined(); // on time again: D̂ = D
    // what a commit does: the work after the drum forward from the drum deadline
    const test = b.ops[1]!;
    expect(test.start!).toBeGreaterThanOrEqual(b.drumDeadline);
    expect(test.start!).toBeLessThan(late.ops[1]!.start!);
    expect(test.start!).toBeLessThanOrEqual(Math.max(testStartAtCommit, b.drumDeadline));
    expect(out.changed.map((r) => r.id)).toContain('B');
    expect(out.atRisk.map((r) => r.id)).not.toContain('B');
    // the ledger holds exactly the stored interval
    expect(book.planOf(now, 'B')!.operations.at(-1)!.start).toBe(test.start);
  });
});
