import { describe, expect, it } from 'vitest';
import { HoldExpiries } from '../../src/domain/schedule/hold-expiries.ts';

const contents = (h: HoldExpiries) => [...h.entries()].sort(([a], [b]) => a.localeCompare(b));

describe('HoldExpiries', () => {
  it('lists the holds due at or before a minute, not one a minute later', () => {
    const h = new HoldExpiries();
    h.set('a', 100);
    h.set('b', 101);
    h.set('c', 99);
    expect(h.due(100).sort()).toEqual(['a', 'c']);
    expect(h.due(98)).toEqual([]);
    h.delete('c');
    expect(h.due(1000).sort()).toEqual(['a', 'b']);
    expect(h.size).toBe(2);
  });

  it('rolls back sets, overwrites and deletes to the map at the checkpoint, and keeps them on release', () => {
    const h = new HoldExpiries();
    h.set('a', 1);
    h.set('b', 2);
    const cp = h.checkpoint();
    h.set('a', 10); // overwrite
    h.set('a', 11); // twice
    h.delete('b');
    h.delete('missing');
    h.set('c', 3); // new
    expect(contents(h)).toEqual([
      ['a', 11],
      ['c', 3],
    ]);
    h.rollback(cp);
    expect(contents(h)).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    const kept = h.checkpoint();
    h.set('d', 4);
    h.release(kept);
    expect(h.get('d')).toBe(4);
  });

  it('rolls nested checkpoints back to their own marks; ending one ends those taken after it', () => {
    const h = new HoldExpiries();
    const outer = h.checkpoint();
    h.set('a', 1);
    const inner = h.checkpoint();
    h.set('b', 2);
    h.rollback(inner);
    expect(contents(h)).toEqual([['a', 1]]);
    const later = h.checkpoint();
    h.set('c', 3);
    h.rollback(outer);
    expect(h.size).toBe(0);
    expect(() => h.rollback(later)).toThrow(RangeError);
    expect(() => h.release(outer)).toThrow(RangeError);
  });

  it('refuses a checkpoint of another instance, and records nothing once none is open', () => {
    const h = new HoldExpiries();
    const other = new HoldExpiries().checkpoint();
    expect(() => h.rollback(other)).toThrow(/not an open checkpoint/);
    h.release(h.checkpoint());
    h.set('a', 1);
    // A checkpoint taken now starts a fresh log: rolling it back cannot undo the set before it.
    h.rollback(h.checkpoint());
    expect(h.get('a')).toBe(1);
  });
});
