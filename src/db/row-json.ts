// A batch's new orders, their operations and its events reach PostgreSQL as JSON arrays of
// rows (json_populate_recordset / json_to_recordset in migration 0024's functions,
// jsonb_populate_recordset for a batch whose orders go out alone), and JSON.stringify of such rows was
// the largest single cost of building a batch's statements: V8's fast path gives up on any
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
 */
export function rowsJson(rows: readonly object[], omitNulls = false): string {
  const instants = new Map<number, string>();
  let out = '[';
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as Record<string, unknown>;
    out += r === 0 ? '{' : ',{';
    let first = true;
    for (const key in row) {
      if (!Object.hasOwn(row, key)) continue;
      const value = row[key];
      let text: string | undefined;
      switch (typeof value) {
        case 'string':
          text = JSON.stringify(value);
          break;
        case 'number':
          text = Number.isFinite(value) ? String(value) : 'null';
          break;
        case 'boolean':
          text = value ? 'true' : 'false';
          break;
        case 'object':
          if (value === null) text = omitNulls ? undefined : 'null';
          else if (value instanceof Date) text = instantJson(value, instants);
          else text = JSON.stringify(value);
          break;
        default:
          // undefined, functions and symbols: JSON.stringify leaves the key out; a bigint throws there too.
          text = JSON.stringify(value);
      }
      if (text === undefined) continue;
      out += first ? keyPrefix(key) + text : `,${keyPrefix(key)}${text}`;
      first = false;
    }
    out += '}';
  }
  return `${out}]`;
}

/** A Date as JSON.stringify writes it (toJSON: the ISO string, null when invalid), once per instant. */
function instantJson(at: Date, seen: Map<number, string>): string {
  const ms = at.getTime();
  let text = seen.get(ms);
  if (text === undefined) {
    text = Number.isFinite(ms) ? `"${at.toISOString()}"` : 'null';
    seen.set(ms, text);
  }
  return text;
}
