import { describe, expect, it } from 'vitest';
import { EvaluationCache } from '../../src/domain/scenarios/scenarios.ts';
import type { ScenarioEvaluation } from '../../src/domain/scenarios/scenario-evaluation.ts';

const value = (n: number) => ({ scheduleVersion: n }) as unknown as ScenarioEvaluation;

describe('scenario evaluation cache', () => {
  it('keeps at most perPlant entries per plant, least recently used out first', () => {
    const cache = new EvaluationCache(2, 10);
    cache.set('p', 'a', value(1), 0);
    cache.set('p', 'b', value(2), 0);
    expect(cache.get('p', 'a', 0)).toEqual(value(1));
    cache.set('p', 'c', value(3), 0);
    expect(cache.get('p', 'b', 0)).toBeUndefined();
    expect(cache.get('p', 'a', 0)).toEqual(value(1));
    expect(cache.get('p', 'c', 0)).toEqual(value(3));
  });

  it('keeps at most `plants` plants, the least recently used plant out first', () => {
    const cache = new EvaluationCache(2, 2);
    cache.set('p1', 'k', value(1), 0);
    cache.set('p2', 'k', value(2), 0);
    expect(cache.get('p1', 'k', 0)).toEqual(value(1));
    cache.set('p3', 'k', value(3), 0);
    expect(cache.get('p2', 'k', 0)).toBeUndefined();
    expect(cache.get('p1', 'k', 0)).toEqual(value(1));
    expect(cache.get('p3', 'k', 0)).toEqual(value(3));
  });

  it('serves an entry for ttlMs at most', () => {
    const cache = new EvaluationCache(2, 2, 1000);
    cache.set('p', 'k', value(1), 10_000);
    expect(cache.get('p', 'k', 11_000)).toEqual(value(1));
    expect(cache.get('p', 'k', 11_001)).toBeUndefined();
    // Gone for good, not served again when asked at an earlier time.
    expect(cache.get('p', 'k', 10_000)).toBeUndefined();
  });
});
