import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { timeOrderedId } from '../../src/domain/promising/quotes.ts';

describe('quote ids', () => {
  it('are RFC 9562 version-7 UUIDs carrying the quote time in their first 48 bits', () => {
    const at = new Date('2026-11-30T16:00:00.123Z');
    const id = timeOrderedId(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(z.uuid().safeParse(id).success).toBe(true);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at.getTime());
    // The time part is kept per millisecond: each id still carries its own.
    for (const t of [at, new Date(at.getTime() + 1), at, new Date(0)]) {
      const next = timeOrderedId(t);
      expect(parseInt(next.slice(0, 8) + next.slice(9, 13), 16)).toBe(t.getTime());
    }
  });

  it('sort in time order (so quote_log grows at the end of its key), and differ within one millisecond', () => {
    const times = ['2026-01-01T00:00:00Z', '2026-06-30T23:59:59.999Z', '2027-03-01T12:00:00.001Z'].map((t) => new Date(t));
    const ids = times.map(timeOrderedId);
    expect([...ids].sort()).toEqual(ids);
    const same = new Set(Array.from({ length: 1000 }, () => timeOrderedId(times[0]!)));
    expect(same.size).toBe(1000);
  });

  it('draw every random digit from the whole range, across refills of the random pool', () => {
    const at = new Date('2026-11-30T16:00:00.123Z');
    const ids = Array.from({ length: 5000 }, () => timeOrderedId(at)); // ≈ 12 pools of random bytes
    const tail = (id: string) => id.slice(15).replace(/-/g, ''); // rand_a (3), variant + rand_b (16)
    for (let k = 0; k < 19; k++) {
      const seen = new Set(ids.map((id) => tail(id)[k]));
      expect(seen.size, `digit ${k}`).toBe(k === 3 ? 4 : 16);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});
