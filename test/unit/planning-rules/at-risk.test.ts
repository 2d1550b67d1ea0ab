import { describe, expect, it } from 'vitest';
import { buildWorkingTime, endOfLocalDate, type StoredRouteOrder } from '../../../src/engine/index.ts';
import { judgeRisk, reasonOf, type AtRiskRule, type RiskVerdict } from '../../../src/planning-rules/at-risk.ts';

// Drum and cut work Monday to Friday, 08:00–16:00 UTC. 2026-12-18 is a Friday.
const wt = buildWorkingTime({
  timeZone: 'UTC',
  weekly: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, start: '08:00', end: '16:00' })),
  exceptions: [],
});
const P = '2026-12-18';
const dayEnd = endOfLocalDate(wt, P);
const rule: AtRiskRule = { toleranceMinutes: 60, recoveryMinutes: 240 };
const now = dayEnd - 3 * 1440;

/** An order whose plan ends at `finish` (its last operation off the drum), as the tick leaves it. */
function order(
  finish: number,
  flag?: { promiseDate?: string; projectedFinish?: number },
  extra: Partial<StoredRouteOrder> = {},
): StoredRouteOrder {
  return {
    id: 'o',
    ops: [
      { position: 0, resource: 'cut', minutes: 60, start: finish - 600, end: finish - 540 },
      { position: 1, resource: 'drum', minutes: 60, start: null, end: null },
      { position: 2, resource: 'pack', minutes: 60, start: finish - 60, end: finish },
    ],
    drumLoad: 60,
    drumDeadline: finish - 120,
    ready: finish - 540,
    key: 1,
    pinned: false,
    plannedRelease: finish - 700,
    promiseDate: P,
    shippingBufferDays: 0,
    ...(flag
      ? {
          risk: {
            promiseDate: flag.promiseDate ?? P,
            projectedFinish: flag.projectedFinish ?? finish,
            reason: 'resource',
            resource: 'cut',
          },
        }
      : {}),
    ...extra,
  };
}
const judge = (rec: StoredRouteOrder) => judgeRisk(rec, { drumId: 'drum', drumWt: wt, now, rule });

describe('at-risk judgement (issue 13 item 3)', () => {
  it('flags an order only once its projection passes the end of its promised day by more than the tolerance', () => {
    expect(judge(order(dayEnd + 60))).toEqual({ kind: 'unchanged' });
    expect(judge(order(dayEnd + 61))).toMatchObject({ kind: 'at-risk', projectedFinish: dayEnd + 61, lateBy: 61 });
  });

  it('does not flap: between the recovery margin and the tolerance an order keeps the state it had', () => {
    // A projection swinging around the end of the promised day, as ticks and shift reports move it.
    const path = [dayEnd - 30, dayEnd + 90, dayEnd - 100, dayEnd + 200, dayEnd - 239, dayEnd + 30, dayEnd - 240, dayEnd + 10, dayEnd + 61];
    let flagged: { projectedFinish: number } | undefined;
    const transitions: RiskVerdict['kind'][] = [];
    for (const finish of path) {
      const v = judge(order(finish, flagged));
      if (v.kind === 'at-risk') flagged = { projectedFinish: v.projectedFinish };
      if (v.kind === 'on-track') flagged = undefined;
      if (v.kind === 'still-at-risk') flagged = { projectedFinish: v.projectedFinish };
      if (v.kind === 'at-risk' || v.kind === 'on-track') transitions.push(v.kind);
    }
    // At risk at +90, on track only at −240 (not at −100 or −239), at risk again at +61 (not at +10).
    expect(transitions).toEqual(['at-risk', 'on-track', 'at-risk']);
  });

  it('keeps the stored projection current while the order stays at risk, without a transition', () => {
    expect(judge(order(dayEnd + 500, { projectedFinish: dayEnd + 500 }))).toEqual({ kind: 'unchanged' });
    expect(judge(order(dayEnd + 530, { projectedFinish: dayEnd + 500 }))).toEqual({ kind: 'still-at-risk', projectedFinish: dayEnd + 530 });
  });

  it('takes a newly recorded fact as the reason of an order already at risk for another, only while it is late', () => {
    const withCause = (rec: StoredRouteOrder, cause: 'material-late' | 'resource') =>
      judgeRisk(rec, { drumId: 'drum', drumWt: wt, now, rule, cause });
    // Flagged for the resource `cut`; late material now holds it past the tolerance.
    expect(withCause(order(dayEnd + 500, { projectedFinish: dayEnd + 400 }), 'material-late')).toEqual({
      kind: 'new-cause',
      projectedFinish: dayEnd + 500,
      lateBy: 500,
      reason: 'material-late',
      resource: null,
    });
    // The same cause again: only the projection moves.
    expect(withCause(order(dayEnd + 500, { projectedFinish: dayEnd + 400 }), 'resource')).toEqual({
      kind: 'still-at-risk',
      projectedFinish: dayEnd + 500,
    });
    // Inside the band (not late past the tolerance, not recovered): the fact did not make it late.
    expect(withCause(order(dayEnd + 60, { projectedFinish: dayEnd + 60 }), 'material-late')).toEqual({ kind: 'unchanged' });
  });

  it('judges a re-promised order afresh on its new promise, without the recovery margin', () => {
    // Flagged against the 17th; now promised for the 18th and ending 10 minutes before its end.
    expect(judge(order(dayEnd - 10, { promiseDate: '2026-12-17' }))).toEqual({
      kind: 'on-track',
      projectedFinish: dayEnd - 10,
      why: 'repromised',
    });
    expect(judge(order(dayEnd + 100, { promiseDate: '2026-12-17' }))).toMatchObject({ kind: 'at-risk' });
  });

  it('names the reason: release overdue, the resource waited on longest, progress behind on the drum, or the fact that caused it', () => {
    const late = dayEnd + 500;
    expect(reasonOf(order(late), { drumId: 'drum', now: late - 600 })).toEqual({ reason: 'release-overdue', resource: null });
    // Released: its plan waits 540 − 60 minutes before pack, the longest wait.
    const released = order(late, undefined, { released: true, plannedRelease: late - 600 });
    expect(reasonOf(released, { drumId: 'drum', now })).toEqual({ reason: 'resource', resource: 'pack' });
    const behindOnDrum = { ...released, effectiveDeadline: released.drumDeadline + 30 };
    expect(reasonOf(behindOnDrum, { drumId: 'drum', now })).toEqual({ reason: 'progress-behind', resource: null });
    expect(reasonOf(released, { drumId: 'drum', now, cause: 'breakdown' })).toEqual({ reason: 'breakdown', resource: 'pack' });
    // Late material: it waits on its material, so no resource is named for overtime to rescue it.
    expect(reasonOf(released, { drumId: 'drum', now, cause: 'material-late' })).toEqual({ reason: 'material-late', resource: null });
  });
});
