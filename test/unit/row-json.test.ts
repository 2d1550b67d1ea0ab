import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rowsJson } from '../../src/db/row-json.ts';

// rowsJson replaces JSON.stringify for the rows a batch writes (orders, operations, events):
// the text must be the one JSON.stringify writes, whatever the rows hold, and with nulls
// left out it must read back as the same rows with those keys missing.
const instant = fc.oneof(
  fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z') }),
  fc.constant(new Date(Number.NaN)),
);
const value = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  instant,
  fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.constant(null))),
  fc.array(fc.oneof(fc.string(), fc.integer(), instant)),
);
const row = fc.dictionary(fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('id', 'plant_id', '0', '17', '__proto__')), value);

describe('rowsJson', () => {
  it('writes exactly what JSON.stringify writes, whatever the rows hold', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 5 }), (rows) => {
        expect(rowsJson(rows)).toBe(JSON.stringify(rows));
      }),
      { numRuns: 500 },
    );
  });

  it('with nulls left out, reads back as the rows without their null keys (nested nulls kept)', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 5 }), (rows) => {
        const withoutNulls = rows.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null)));
        expect(rowsJson(rows, true)).toBe(JSON.stringify(withoutNulls));
      }),
      { numRuns: 500 },
    );
  });

  it('writes an instant shared by many rows and columns the same everywhere, and an invalid one as null', () => {
    const now = new Date('2026-11-23T08:00:00.123Z');
    const rows = [
      { created_at: now, updated_at: now, at: new Date(now.getTime()), bad: new Date(Number.NaN) },
      { created_at: now, updated_at: new Date('2026-11-23T08:01:00Z'), at: null, bad: null },
    ];
    expect(JSON.parse(rowsJson(rows))).toEqual([
      { created_at: now.toISOString(), updated_at: now.toISOString(), at: now.toISOString(), bad: null },
      { created_at: now.toISOString(), updated_at: '2026-11-23T08:01:00.000Z', at: null, bad: null },
    ]);
    expect(JSON.parse(rowsJson(rows, true))[1]).toEqual({ created_at: now.toISOString(), updated_at: '2026-11-23T08:01:00.000Z' });
  });

  it('writes own keys only, as JSON.stringify does', () => {
    const row = Object.assign(Object.create({ inherited: 1 }) as object, { own: 2 });
    expect(rowsJson([row])).toBe('[{"own":2}]');
  });

  it('refuses what JSON.stringify refuses (a bigint)', () => {
    expect(() => rowsJson([{ n: 1n }])).toThrow(TypeError);
  });
});
