import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteLiteral } from '../../src/db/literals.ts';
import { OPERATION_RECORD_COLUMNS } from '../../src/db/repos/order-operations.ts';
import { ORDER_RECORD_COLUMNS } from '../../src/db/repos/orders.ts';
import { rowsRecordArray } from '../../src/db/row-json.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { databaseKinds } from '../helpers/planning.ts';

// A batch's new orders and operations travel as arrays of the tables' row types (migration
// 0029, db/row-json.ts rowsRecordArray), written into the statement's text. Two levels of
// quoting (the record's, then the array element's) and the SQL literal's around them: every
// value must read back as itself, on PostgreSQL and PGlite, and the column lists must be the
// tables' attribute order (a record is read by position).

const COLUMNS = ['t', 'u', 'i', 'f', 'b', 'ts', 'j'] as const;

interface Row {
  t: string | null;
  u?: string | null | undefined;
  i: number | null;
  f: number | null;
  b: boolean | null;
  ts: Date | null;
  j: Record<string, unknown> | null;
}

/** Strings PostgreSQL can hold (no NUL: refused before) and the pg driver sends as they are (well-formed UTF-16). */
const text = fc
  .oneof(
    fc.string({ unit: 'binary' }),
    fc.string({ unit: fc.constantFrom('"', '\\', "'", '(', ')', ',', '{', '}', ' ', '\t', '\n', 'a', 'N', 'U', 'L', 'é', '😀', '\u00a0') }),
    fc.constantFrom('', 'NULL', 'null', ' ', '""', '\\', '\\\\"', '()', '(,)', '{}', "O'Brien", 'a b', ' lead', 'trail '),
  )
  .filter((s) => !s.includes('\u0000') && !/\p{Surrogate}/u.test(s));

const row: fc.Arbitrary<Row> = fc.record({
  t: fc.option(text),
  u: fc.option(text, { nil: undefined }),
  i: fc.option(fc.integer()),
  f: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true })),
  b: fc.option(fc.boolean()),
  ts: fc.option(fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true })),
  j: fc.option(fc.dictionary(text, fc.oneof(text, fc.integer(), fc.constant(null)), { maxKeys: 3 })),
});

describe.each(databaseKinds())('record arrays on %s', (kind) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb({ kind });
    await sql`CREATE TABLE record_rows (t text, u text, i integer, f double precision, b boolean, ts timestamptz, j jsonb)`.execute(t.db);
  }, 60_000);
  afterAll(async () => t?.close());

  /**
   * The rows read back from `literal`. Each JSON value is compared with what was sent inside
   * the database (`j_same`, jsonb equality with the sent objects as one bind parameter), not by
   * JSON.parse here: V8's JSON.parse can read an escaped object key wrongly (`"\""` or
   * `"\u0001"` as `\`) once an object with a `\` key at the same place was built in the
   * process (nodejs/node#63785, a map-transition lookup on the key's raw text). Two CI runs
   * failed on it: PostgreSQL had stored and answered the right key each time (this test's
   * diagnostics showed the text), and this test's own earlier runs had built such objects.
   */
  async function read(literal: string, rows: Row[]) {
    const sent = JSON.stringify(rows.map((r) => r.j));
    const { rows: back } = await sql<{
      t: string | null;
      u: string | null;
      i: number | null;
      f: number | null;
      b: boolean | null;
      ts: string | null;
      j: string | null;
      j_same: boolean;
    }>`
      SELECT r.t, r.u, r.i, r.f, r.b, (extract(epoch FROM r.ts) * 1000)::text AS ts, r.j::text AS j,
        r.j IS NOT DISTINCT FROM NULLIF((${sent}::text)::jsonb -> (r.ordinality - 1)::int, 'null'::jsonb) AS j_same
      FROM unnest(${sql.raw(literal)}::record_rows[]) WITH ORDINALITY AS r ORDER BY r.ordinality`.execute(t.db);
    return back;
  }

  async function roundTrip(rows: Row[]) {
    const literal = quoteLiteral(rowsRecordArray(rows, COLUMNS));
    const back = await read(literal, rows);
    try {
      expect(back).toHaveLength(rows.length);
      back.forEach((b, k) => {
        const r = rows[k]!;
        expect(b.t).toBe(r.t);
        expect(b.u).toBe(r.u ?? null);
        expect(b.i).toBe(r.i);
        expect(b.f === null ? null : Number(b.f)).toBe(r.f === null ? null : r.f === 0 ? 0 : r.f);
        expect(b.b).toBe(r.b);
        // The instant as milliseconds since 1970 (pg's Date parsing reads years before 100 as 19xx).
        expect(b.ts === null ? null : Number(b.ts)).toBe(r.ts === null ? null : r.ts.getTime());
        expect(b.j === null).toBe(r.j === null);
        expect(b.j_same, `j read back as ${b.j}`).toBe(true);
      });
    } catch (e) {
      // What was sent, what came back, and what the same text reads a second time.
      const again = await read(literal, rows);
      throw new Error(`${(e as Error).message}\n${JSON.stringify({ sent: literal, back, sameTextAgain: again }, null, 1)}`, { cause: e });
    }
  }

  it('reads every value back as itself: quotes, backslashes, parentheses, commas, white space, empty text, "NULL", unicode', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 6 }), (rows) => roundTrip(rows)),
      { numRuns: kind === 'pglite' ? 150 : 300 },
    );
  });

  it('tells the empty string, the text NULL and a missing or null value apart', async () => {
    await roundTrip([
      { t: '', u: 'NULL', i: 0, f: -0, b: false, ts: null, j: {} },
      { t: null, u: undefined, i: null, f: null, b: null, ts: null, j: null },
      { t: '"', u: '\\', i: -1, f: 1e-300, b: true, ts: new Date('2026-03-29T01:30:00.123Z'), j: { 'a"b': 'c\\d', e: "O'Brien (x, y)" } },
    ]);
  });

  it('writes a record type’s fields in its attribute order: the orders and operations column lists, as the types and the tables have them', async () => {
    const attributes = async (relation: string) =>
      (
        await sql<{ name: string }>`SELECT attname AS name FROM pg_attribute
          WHERE attrelid = ${relation}::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`.execute(t.db)
      ).rows.map((r) => r.name);
    expect(await attributes('drumbeat_order_row_v1')).toEqual([...ORDER_RECORD_COLUMNS]);
    expect(await attributes('drumbeat_operation_row_v1')).toEqual([...OPERATION_RECORD_COLUMNS]);
    // Today's tables have exactly these columns; a new one needs a _v2 type (migration 0029).
    expect(await attributes('orders')).toEqual([...ORDER_RECORD_COLUMNS]);
    expect(await attributes('order_operations')).toEqual([...OPERATION_RECORD_COLUMNS]);
  });
});

describe('rowsRecordArray', () => {
  it('writes NULL for a non-finite number and an invalid Date, as JSON does', () => {
    expect(rowsRecordArray([{ a: Number.NaN, b: Number.POSITIVE_INFINITY, c: new Date(Number.NaN), d: 1 }], ['a', 'b', 'c', 'd'])).toBe(
      '{"(,,,1)"}',
    );
  });

  it('writes an empty array for no rows, and bare fields where record_in reads them back unchanged', () => {
    expect(rowsRecordArray([], ['a'])).toBe('{}');
    const at = new Date('2026-12-01T01:57:39.456Z');
    expect(
      rowsRecordArray(
        [
          { a: 'p1', b: at, c: 'a b', d: '' },
          { a: 'p1', b: at, c: 'x(y)', d: 'z' },
        ],
        ['a', 'b', 'c', 'd'],
      ),
    ).toBe('{"(p1,2026-12-01T01:57:39.456Z,\\"a b\\",\\"\\")","(p1,2026-12-01T01:57:39.456Z,\\"x(y)\\",z)"}');
  });

  it('escapes a quote or backslash in a quoted field for both levels', () => {
    expect(rowsRecordArray([{ a: 'x"y\\z' }], ['a'])).toBe('{"(\\"x\\\\\\"y\\\\\\\\z\\")"}');
  });
});
