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

  it('keeps logging while an outer checkpoint is open after an inner one was released', () => {
    const h = new HoldExpiries();
    const outer = h.checkpoint();
    const inner = h.checkpoint();
    h.set('a', 1);
    h.release(inner);
    h.set('b', 2);
    h.delete('a');
    h.rollback(outer);
    expect(h.size).toBe(0);
  });

  it('refuses an ended checkpoint while another is still open, and the open one still rolls back', () => {
    const h = new HoldExpiries();
    h.set('a', 1);
    const outer = h.checkpoint();
    h.set('a', 2);
    const inner = h.checkpoint();
    h.set('b', 3);
    h.rollback(inner);
    expect(() => h.rollback(inner)).toThrow(/not an open checkpoint/);
    expect(() => h.release(inner)).toThrow(/not an open checkpoint/);
    expect(() => h.rollback(new HoldExpiries().checkpoint())).toThrow(/not an open checkpoint/);
    h.rollback(outer);
    expect(contents(h)).toEqual([['a', 1]]);
  });

  it('drops its undo log once no checkpoint is open: a later checkpoint starts an empty one', () => {
    const h = new HoldExpiries();
    expect(h.checkpoint().at).toBe(0);
    const h2 = new HoldExpiries();
    const cp = h2.checkpoint();
    h2.set('a', 1);
    h2.rollback(cp);
    // Writes with no checkpoint open are not logged (the log would grow for the life of the plant).
    for (let i = 0; i < 5; i++) h2.set(`x${i}`, i);
    expect(h2.checkpoint().at).toBe(0);
    const h3 = new HoldExpiries();
    h3.release(h3.checkpoint());
    h3.set('a', 1);
    expect(h3.checkpoint().at).toBe(0);
  });
});
