import { describe, expect, it } from 'vitest';
import type { RoutePlan } from '../../src/engine/index.ts';
import { ropeOf } from '../../src/domain/schedule/rope.ts';

const plan = (plannedRelease: number | null, operations: RoutePlan['operations']): RoutePlan => ({
  id: 'o',
  plannedRelease,
  ready: 100,
  drumDeadline: 10_000,
  late: false,
  operations,
});

describe('the rope read off a route plan', () => {
  it('takes the stored planned release, the first start for the queue and the last end for the finish', () => {
    const p = plan(100, [
      { position: 0, resource: 'saw', minutes: 15, start: 160, end: 175 },
      { position: 1, resource: 'cnc', minutes: 130, start: 200, end: 330 },
      { position: 2, resource: 'pack', minutes: 10, start: 400, end: 410 },
    ]);
    expect(ropeOf(p, 'cnc', () => 0)).toEqual({
      plannedRelease: 100,
      projectedFinish: 410,
      queueMinutes: 60,
      drumStart: 200,
      drumMinutes: 130,
    });
  });

  it('falls back to the old rule for a legacy order and never reports a negative queue', () => {
    const p = plan(null, [{ position: 0, resource: 'cnc', minutes: 40, start: 90, end: 130 }]);
    expect(ropeOf(p, 'cnc', () => 120)).toMatchObject({ plannedRelease: 120, queueMinutes: 0, projectedFinish: 130 });
  });

  it('has no queue when the first operation has no room', () => {
    const p = plan(100, [{ position: 0, resource: 'cnc', minutes: 40, start: Infinity, end: Infinity }]);
    expect(ropeOf(p, 'cnc', () => 0)).toMatchObject({ queueMinutes: null, projectedFinish: Infinity });
  });
});
