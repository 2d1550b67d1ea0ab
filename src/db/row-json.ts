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
