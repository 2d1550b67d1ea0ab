import { describe, expect, it } from 'vitest';
import { EvaluationCache } from '../../src/domain/scenarios/scenarios.ts';
import type { ScenarioEvaluation } from '../../src/domain/scenarios/scenario-evaluation.ts';

const value = (n: number) => ({ scheduleVersion: n }) as unknown as ScenarioEvaluation;

describe('scenario evaluation cache', () => {
  it('keeps at most perPlant entries per plant, least recently used out first', () => {
    const cache = new EvaluationCache(2, 10);
    cache.set('p', 'a', value(1));
    cache.set('p', 'b', value(2));
    expect(cache.get('p', 'a')).toEqual(value(1));
    cache.set('p', 'c', value(3));
    expect(cache.get('p', 'b')).toBeUndefined();
    expect(cache.get('p', 'a')).toEqual(value(1));
    expect(cache.get('p', 'c')).toEqual(value(3));
  });

  it('keeps at most `plants` plants, the least recently used plant out first', () => {
    const cache = new EvaluationCache(2, 2);
    cache.set('p1', 'k', value(1));
    cache.set('p2', 'k', value(2));
    expect(cache.get('p1', 'k')).toEqual(value(1));
    cache.set('p3', 'k', value(3));
    expect(cache.get('p2', 'k')).toBeUndefined();
    expect(cache.get('p1', 'k')).toEqual(value(1));
    expect(cache.get('p3', 'k')).toEqual(value(3));
  });
});
