import { sql, type RawBuilder } from 'kysely';

// Statements that travel together in one round trip (deferred-statements.ts) go as one
// simple-protocol script, which has no bind parameters: their values are written into the
// SQL text instead. Only through these functions, each of which either quotes exactly as
// PostgreSQL reads it back or refuses. The few statements written this way are the write
// path's per-batch ones (lock, catch-up, rows, events); everything else keeps parameters.

// eslint-disable-next-line no-control-regex -- NUL is exactly what must be found
const NEEDS_CARE = /['\\\u0000]/;

/**
 * A string as a quoted SQL literal (node-postgres's escapeLiteral rules): quotes doubled,
 * and with any backslash the E'' form with backslashes doubled, so the text reads back
 * unchanged whatever standard_conforming_strings says. Untyped, like an untyped bind
 * parameter: PostgreSQL gives it the type its place asks for. A NUL byte cannot be in a
 * PostgreSQL string at all: refused (input validation refuses it long before).
 */
export function quoteLiteral(text: string): string {
  // One scan for the common text (a batch's JSON) that needs nothing doubled.
  if (!NEEDS_CARE.test(text)) return `'${text}'`;
  if (text.includes('\u0000')) throw new Error('a NUL byte cannot be written into SQL text');
  const quoted = text.replaceAll("'", "''");
  return text.includes('\\') ? ` E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}

/** A string value written into the statement's text (see quoteLiteral). */
export const inlineText = <T extends string>(text: T): RawBuilder<T> => sql<T>`${sql.raw(quoteLiteral(text))}`;

/** A safe integer written into the statement's text; anything else is refused. */
export function inlineInteger(n: number): RawBuilder<number> {
  if (!Number.isSafeInteger(n)) throw new Error(`not an integer to write into SQL text: ${n}`);
  return sql<number>`${sql.raw(String(n))}`;
}

/** An instant written into the statement's text, typed timestamptz (ISO 8601 in UTC reads back as the same instant). */
export function inlineTimestamp(at: Date): RawBuilder<Date> {
  if (Number.isNaN(at.getTime())) throw new Error('an invalid date cannot be written into SQL text');
  return sql<Date>`${sql.raw(quoteLiteral(at.toISOString()))}::timestamptz`;
}

/**
 * A JSON value (already serialised) written into the statement's text, typed json: a batch's
 * rows are read once, by json_populate_recordset (migration 0024), and parsing them into jsonb
 * first cost a third more (about 10 µs per order row).
 */
export const inlineJson = (json: string): RawBuilder<unknown> => sql`${sql.raw(quoteLiteral(json))}::json`;

/** The record types a batch's rows travel as (migration 0029's drumbeat_insert_orders; versioned, see there). */
type RowType = 'drumbeat_order_row_v1' | 'drumbeat_operation_row_v1';

/**
 * An array literal of `type` records (row-json.ts rowsRecordArray) written into the
 * statement's text, typed as an array of `type`.
 */
export const inlineRecordArray = (literal: string, type: RowType): RawBuilder<unknown> =>
  sql`${sql.raw(quoteLiteral(literal))}::${sql.raw(type)}[]`;

// quoteLiteral's output, and nothing else it writes: '…' with quotes doubled, or E'…' with
// quotes and backslashes doubled (a backslash never escapes a quote there, so the same scan
// reads both). The E is the one quoteLiteral puts after a space or an opening bracket.
const QUOTED = /(?<![\w$])E'(?:[^']|'')*'|'(?:[^']|'')*'/g;

/**
 * The statement's text with every quoted literal replaced by `?`: what may leave the process
 * of a statement whose values were written into it (a span's statement text). Text the scan
 * cannot read to the end (a quote left over) gives only its first word, never a value.
 */
export function withoutLiterals(text: string): string {
  const masked = text.replace(QUOTED, '?');
  if (!masked.includes("'")) return masked;
  const [first = ''] = text.trimStart().split(/\s/, 1);
  return `${first.replace(/'.*/s, '')} /* statement text withheld */`;
}
