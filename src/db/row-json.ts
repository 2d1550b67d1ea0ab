// A batch's events, and new orders sent on their own (orders.ts insertOrderRowsQuery), reach
// PostgreSQL as JSON arrays of rows (json_to_recordset in migration 0024's
// drumbeat_append_events, jsonb_populate_recordset); a batch's new orders with their operations
// go as arrays of records (rowsRecordArray below, migration 0029). JSON.stringify of such rows
// was the largest single cost of building a batch's statements: V8's fast path gives up on any
// object holding a Date (it calls toJSON, then toISOString, per value), and an order row has
// six of them, half of them the batch's one `now`. Rows are flat and their keys are the
// same row after row, so they are written here key by key: each key's JSON once, each
// distinct instant once per call. Anything that is not a string, number, boolean, null or
// Date (a nested event payload) is left to JSON.stringify.

/** What a JSON key looks like once written, `"name":`, per key name seen. */
const keyPrefixes = new Map<string, string>();

function keyPrefix(key: string): string {
  let prefix = keyPrefixes.get(key);
  if (prefix === undefined) {
    prefix = `${JSON.stringify(key)}:`;
    // Row keys are column names: a bounded set. Anything past that is not cached.
    if (keyPrefixes.size < 1_000) keyPrefixes.set(key, prefix);
  }
  return prefix;
}

/**
 * JSON text of an array of flat rows, as JSON.stringify(rows) writes it (a test compares
 * them), faster for rows with Dates. `omitNulls`: null values are left out, for a reader
 * that takes a missing key as null (json(b)_populate_recordset on a NULL base record,
 * json(b)_to_recordset): less text to write, send and parse for the same rows.
 *
 * A batch's rows share their keys, in the same order, and many of their values (the plant,
 * the product, the actor, the batch's `now`): each key's place in the row (its slot) keeps
 * the key, its last string or instant and that value's JSON, so a value equal to the one
 * the row before had in the same slot is not written anew.
 */
export function rowsJson(rows: readonly object[], omitNulls = false): string {
  const instants = new Map<number, string>();
  const slotKey: string[] = [];
  const slotPrefix: string[] = [];
  /** the slot's last string, or its last instant's time (a number), and its JSON */
  const slotValue: (string | number)[] = [];
  const slotText: string[] = [];
  let out = '[';
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as Record<string, unknown>;
    out += r === 0 ? '{' : ',{';
    let first = true;
    let slot = 0;
    for (const key in row) {
      if (!Object.hasOwn(row, key)) continue;
      const value = row[key];
      const j = slot++;
      if (slotKey[j] !== key) {
        // A new key in this slot: its last value belonged to another column.
        slotKey[j] = key;
        slotPrefix[j] = keyPrefix(key);
        slotValue[j] = NaN;
      }
      let text: string | undefined;
      switch (typeof value) {
        case 'string':
          if (slotValue[j] === value) text = slotText[j]!;
          else {
            text = JSON.stringify(value);
            slotValue[j] = value;
            slotText[j] = text;
          }
          break;
        case 'number':
          text = Number.isFinite(value) ? String(value) : 'null';
          break;
        case 'boolean':
          text = value ? 'true' : 'false';
          break;
        case 'object':
          if (value === null) text = omitNulls ? undefined : 'null';
          else if (value instanceof Date) {
            const ms = value.getTime();
            // NaN (an invalid Date, or no value yet) equals nothing, so never hits.
            if (slotValue[j] === ms) text = slotText[j]!;
            else {
              text = instantJson(ms, value, instants);
              slotValue[j] = ms;
              slotText[j] = text;
            }
          } else text = JSON.stringify(value);
          break;
        default:
          // undefined, functions and symbols: JSON.stringify leaves the key out; a bigint throws there too.
          text = JSON.stringify(value);
      }
      if (text === undefined) continue;
      out += first ? slotPrefix[j]! + text : `,${slotPrefix[j]!}${text}`;
      first = false;
    }
    out += '}';
  }
  return `${out}]`;
}

/** A Date as JSON.stringify writes it (toJSON: the ISO string, null when invalid), once per instant. */
function instantJson(ms: number, at: Date, seen: Map<number, string>): string {
  let text = seen.get(ms);
  if (text === undefined) {
    text = Number.isFinite(ms) ? `"${at.toISOString()}"` : 'null';
    seen.set(ms, text);
  }
  return text;
}

// A batch's new orders and their operations go as arrays of records (migration 0029:
// `unnest(p_orders)` on a `drumbeat_order_row_v1[]`, the columns of orders frozen), not as JSON: PostgreSQL reads a
// record's fields by position, where json_populate_recordset builds a hash table of each
// object's keys first. Measured on captured batches of the confirm bench (16 orders with one
// operation each, BEGIN … ROLLBACK, backend CPU from /proc over 300 batches, two runs of 5
// alternating rounds): 58 µs per order and its operation against 67–69 µs with JSON; one
// array per column instead (unnest of 44 arrays, most of them all NULL) cost more than JSON,
// 73–77 µs. Encoding here also costs less than rowsJson (5.0 against 7.0 µs per order and its
// operation, quoting included) and writes half the text.
//
// The text is an array literal of record literals. A record field is written bare when
// record_in reads it back unchanged (not empty, none of `(),"\` or white space), else
// double-quoted with `"` and `\` backslash-escaped; NULL is an empty field. Inside the array
// element (double-quoted: a record has commas and parentheses) every `"` and `\` of the record
// text is escaped once more, so a quoted field's quotes are `\"`, and a `"` or `\` in its value
// three backslashes and itself. The caller writes the whole into the statement with
// quoteLiteral (literals.ts), which refuses NUL.

/** What record_in does not read back bare (an empty field is NULL, so '' is quoted too). */
const FIELD_NEEDS_QUOTES = /[(),"\\\s]/;
const FIELD_ESCAPES = /["\\]/g;

/** A string as a record field inside an array element (see above). */
function stringField(s: string): string {
  if (s.length > 0 && !FIELD_NEEDS_QUOTES.test(s)) return s;
  return `\\"${s.replace(FIELD_ESCAPES, '\\\\\\$&')}\\"`;
}

/**
 * PostgreSQL array literal of records: one per row, its fields the row's values of `columns`
 * in that order (the row type's attribute order; a column missing from a row, or null, is
 * NULL). Values as rowsJson reads them: text, a finite number, a boolean, a Date (its ISO
 * instant; an invalid one is NULL) or anything else as its JSON text; a non-finite number is
 * NULL, as in JSON. A column keeps its last string or instant and its field text, since a
 * batch's rows repeat many (the plant, the product, the actor, the batch's `now`).
 */
export function rowsRecordArray(rows: readonly object[], columns: readonly string[]): string {
  const lastValue: (string | number)[] = columns.map(() => NaN);
  const lastText: string[] = columns.map(() => '');
  let out = '{';
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as Record<string, unknown>;
    out += r === 0 ? '"(' : ',"(';
    for (let c = 0; c < columns.length; c++) {
      const value = Object.hasOwn(row, columns[c]!) ? row[columns[c]!] : undefined;
      let text: string;
      switch (typeof value) {
        case 'string':
          if (lastValue[c] === value) text = lastText[c]!;
          else {
            text = stringField(value);
            lastValue[c] = value;
            lastText[c] = text;
          }
          break;
        case 'number':
          text = Number.isFinite(value) ? String(value) : '';
          break;
        case 'boolean':
          text = value ? 't' : 'f';
          break;
        case 'object':
          if (value === null) text = '';
          else if (value instanceof Date) {
            const ms = value.getTime();
            // NaN (an invalid Date, or none yet) equals nothing, so never hits.
            if (lastValue[c] === ms) text = lastText[c]!;
            else {
              text = Number.isFinite(ms) ? value.toISOString() : '';
              lastValue[c] = ms;
              lastText[c] = text;
            }
          } else text = stringField(JSON.stringify(value));
          break;
        case 'undefined':
          text = '';
          break;
        default: {
          // A bigint (JSON.stringify throws, as rowsJson does), a function or a symbol: no column holds one.
          const json: unknown = JSON.stringify(value);
          text = typeof json === 'string' ? stringField(json) : '';
        }
      }
      out += c === 0 ? text : `,${text}`;
    }
    out += ')"';
  }
  return `${out}}`;
}
