import { describe, expect, it } from 'vitest';
import { longestWaitOf, type StoredRouteOrder } from '../../src/engine/index.ts';

// The resource an order at risk is reported waiting on (keepability review: "an order late because
// of heat treatment is reported waiting on heat, not on the drum"): the drum only for its own wait
// (D̂ after the earliest finish from its ready time), never merely because D̂ > D.

const order = (
  heat: [number, number],
  test: [number, number],
  drum: { D: number; Dhat?: number; ready: number; load: number },
): StoredRouteOrder => ({
  id: 'a',
  ops: [
    { position: 0, resource: 'heat', minutes: heat[1] - heat[0], start: heat[0], end: heat[1] },
    { position: 1, resource: 'drum', minutes: drum.load, start: null, end: null },
    { position: 2, resource: 'test', minutes: test[1] - test[0], start: test[0], end: test[1] },
  ],
  drumLoad: drum.load,
  drumDeadline: drum.D,
  ...(drum.Dhat !== undefined ? { effectiveDeadline: drum.Dhat } : {}),
  ready: drum.ready,
  key: 0,
  pinned: false,
  plannedRelease: 0,
  promiseDate: '2026-11-27',
  shippingBufferDays: 1,
});

describe('longestWaitOf', () => {
  it('drum late only because heat ends late: the order waits on heat', () => {
    // Heat waits 1000 minutes for its turn; the drum follows its end at once (D̂ = finish + 10 minutes of slack).
    expect(longestWaitOf(order([1000, 1480], [1520, 1535], { D: 1200, Dhat: 1520, ready: 1480, load: 30 }), 'drum')).toBe('heat');
  });

  it('drum late because of its own queue: the order waits on the drum', () => {
    expect(longestWaitOf(order([0, 480], [3000, 3015], { D: 600, Dhat: 3000, ready: 480, load: 30 }), 'drum')).toBe('drum');
  });

  it('no drum finish within reach: the drum', () => {
    expect(longestWaitOf(order([0, 480], [3000, 3015], { D: 600, Dhat: Infinity, ready: 480, load: 30 }), 'drum')).toBe('drum');
  });

  it('on time on the drum: work after it waits from the drum deadline, not from the end of the work before it', () => {
    // Test starts 100 minutes after D; heat waited 50: test.
    expect(longestWaitOf(order([50, 530], [700, 715], { D: 600, ready: 530, load: 30 }), 'drum')).toBe('test');
    // Test starts at D; heat waited 50: heat (the 70 minutes from heat's end to D are the drum's buffer, not a wait on test).
    expect(longestWaitOf(order([50, 530], [600, 615], { D: 600, ready: 530, load: 30 }), 'drum')).toBe('heat');
  });
});
