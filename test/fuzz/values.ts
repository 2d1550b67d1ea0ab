import fc from 'fast-check';
import type { JsonSchema } from './operations.ts';

/** Named sets of values that exist in the seeded plant (and grow as the fuzz run creates things). */
export type PoolName = 'plant' | 'resource' | 'sku' | 'orders' | 'holds' | 'capacity-changes' | 'api-keys' | 'externalId';

/** A value taken from a pool when the request is sent, so requests can name what earlier ones created. */
export class PoolRef {
  constructor(
    readonly pool: PoolName,
    readonly n: number,
  ) {}
  toJSON() {
    return `<${this.pool}#${this.n}>`;
  }
}

const poolRef = (pool: PoolName) => fc.nat({ max: 1_000_000 }).map((n) => new PoolRef(pool, n));

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const isoDate = (d: Date) => `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

/** Plant-local dates around the test clock (2026-11-23), where the schedule has its orders. */
const nearDate = fc.integer({ min: -30, max: 240 }).map((days) => isoDate(new Date(Date.UTC(2026, 10, 23) + days * 86_400_000)));

/** Dates the planning horizon must bound (issue 14 item 2) and strings that only look like dates. */
const farDates = ['0001-01-01', '1000-06-15', '1900-01-01', '1970-01-01', '2100-01-01', '2999-12-31', '9999-12-31'];
const notDates = ['2026-02-30', '2026-13-01', '0000-00-00', '2026-1-1', '20261201', '2026-11-23T08:00:00Z', '+275760-09-13', '-0001-01-01'];

const dateArb = fc.oneof(
  { weight: 12, arbitrary: nearDate },
  { weight: 2, arbitrary: fc.constantFrom(...farDates) },
  { weight: 1, arbitrary: fc.constantFrom(...notDates) },
);

const timeArb = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45)).map(([h, m]) => `${pad(h)}:${pad(m)}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('24:00', '00:00', '23:59') },
  { weight: 1, arbitrary: fc.constantFrom('24:01', '25:00', '12:60', '7:00', '', '-1:00', '12:00:00') },
);

const timeZones = [
  'Europe/Berlin',
  'UTC',
  'America/New_York',
  'Pacific/Kiritimati',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Mars/Olympus',
  'utc',
  '+01:00',
];

/** Values that break naive code: boundaries, huge and negative numbers, control and unpaired UTF-16, wrong types. */
export const evilValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(0, -1, -0, 0.5, 1.5, 2 ** 31, 2 ** 32 + 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e21, 1e308, -1e308, 5e-324),
  },
  // Text a database or a JSON encoder may choke on: NUL, unpaired UTF-16 surrogates, bidi and zero-width marks.
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '\u0000',
      'a\u0000b',
      '\ud800',
      'x\udc00y',
      '\udfff\ud800',
      '😀',
      'Ωμέγα ≈ ç √ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
      '\u202e\u200b\ufeff',
    ),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      'null',
      'true',
      '1e3',
      '-1',
      "'; DROP TABLE orders; --",
      '../../etc/passwd',
      '%00',
      '\r\n',
      '__proto__',
      'constructor',
    ),
  },
  { weight: 3, arbitrary: fc.constantFrom(...farDates, ...notDates) },
  { weight: 1, arbitrary: fc.constantFrom(300, 1_000, 10_000, 200_000).map((n) => 'a'.repeat(n)) },
  { weight: 3, arbitrary: fc.constantFrom(null, true, false, [], {}, [1], { a: 1 }, [[[[]]]]) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
);

/** Generation context: the property name, which says more than a bare `type: string`. */
export interface Ctx {
  name: string;
  /** Only values the schema accepts and names that exist: requests that reach the engine. */
  clean?: boolean;
}

const cleanText = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz ABC-0123456789'), minLength: 1, maxLength: 20 });

function cleanStringArb(schema: JsonSchema, lower: string): fc.Arbitrary<unknown> | undefined {
  if (lower === 'sku') return poolRef('sku');
  if (lower === 'resource') return poolRef('resource');
  if (lower === 'plant' || lower === 'plants') return poolRef('plant');
  if (lower === 'orderid') return poolRef('orders');
  if (lower === 'externalid')
    return fc.oneof(
      { weight: 1, arbitrary: poolRef('externalId') },
      { weight: 4, arbitrary: cleanText.map((s) => `EXT-${s.trim() || 'x'}`) },
    );
  if (lower === 'timezone') return fc.constantFrom('Europe/Berlin', 'UTC', 'America/New_York');
  if (lower === 'start') return fc.integer({ min: 0, max: 11 }).map((h) => `${pad(h * 2)}:00`);
  if (lower === 'end') return fc.constantFrom('23:00', '24:00');
  if (lower.endsWith('date') || lower === 'from' || lower === 'to') return nearDate;
  if (schema.format === 'uuid' || schema.pattern) return undefined;
  return cleanText;
}

function stringArb(schema: JsonSchema, { name, clean }: Ctx): fc.Arbitrary<unknown> {
  const lower = name.toLowerCase();
  const cleanArb = clean ? cleanStringArb(schema, lower) : undefined;
  if (cleanArb) return cleanArb;
  if (lower === 'sku') return fc.oneof({ weight: 9, arbitrary: poolRef('sku') }, { weight: 1, arbitrary: patterned(schema) });
  if (lower === 'resource') return fc.oneof({ weight: 9, arbitrary: poolRef('resource') }, { weight: 1, arbitrary: patterned(schema) });
  if (lower === 'plant' || lower === 'plants')
    return fc.oneof({ weight: 9, arbitrary: poolRef('plant') }, { weight: 1, arbitrary: patterned(schema) });
  if (lower === 'orderid') return fc.oneof({ weight: 9, arbitrary: poolRef('orders') }, { weight: 1, arbitrary: fc.uuid() });
  if (lower === 'externalid') return fc.oneof(poolRef('externalId'), fc.string({ minLength: 1, maxLength: 20 }));
  if (lower === 'timezone') return fc.constantFrom(...timeZones);
  if (lower === 'start' || lower === 'end') return timeArb;
  if (lower.endsWith('date') || lower === 'from' || lower === 'to') return dateArb;
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.pattern) return patterned(schema);
  const maxLength = Math.min(schema.maxLength ?? 40, 40);
  return fc.string({ minLength: Math.min(schema.minLength ?? 0, maxLength), maxLength });
}

function patterned(schema: JsonSchema): fc.Arbitrary<string> {
  return fc.stringMatching(new RegExp(schema.pattern ?? '.*'));
}

function numberArb(schema: JsonSchema, { name, clean }: Ctx, integer: boolean): fc.Arbitrary<number> {
  const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + (integer ? 1 : 1e-9) : -1e6);
  const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - (integer ? 1 : 1e-9) : 1e6);
  // Small values reach the engine with plausible loads; the full range finds overflow.
  const smallMax = name === 'quantity' ? 40 : name.endsWith('Days') ? 20 : Math.min(max, 600);
  const lo = max < 0 ? min : Math.max(min, 0);
  const hi = Math.min(max, Math.max(lo, smallMax));
  const small = integer ? fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) }) : fc.double({ min: lo, max: hi, noNaN: true });
  const full = integer
    ? fc.integer({ min: Math.max(min, Number.MIN_SAFE_INTEGER), max: Math.min(max, Number.MAX_SAFE_INTEGER) })
    : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  if (clean) return small;
  return fc.oneof({ weight: 8, arbitrary: small }, { weight: 1, arbitrary: full }, { weight: 1, arbitrary: fc.constantFrom(min, max) });
}

/** A value the schema accepts (modulo pool values that may no longer exist, which is the point). */
export function valueFor(schema: JsonSchema, ctx: Ctx = { name: '' }, depth = 0): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => valueFor(s, ctx, depth)));
  if (Array.isArray(schema.type)) return fc.oneof(...schema.type.map((type) => valueFor({ ...schema, type }, ctx, depth)));
  switch (schema.type) {
    case 'string':
      return stringArb(schema, ctx);
    case 'integer':
      return numberArb(schema, ctx, true);
    case 'number':
      return numberArb(schema, ctx, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      if (!schema.items) return fc.constant([]);
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? 4, depth > 1 ? 2 : 4));
      return fc.array(valueFor(schema.items, ctx, depth + 1), { minLength, maxLength: ctx.clean ? Math.min(maxLength, 2) : maxLength });
    }
    case 'object': {
      const props = schema.properties ?? {};
      const required = schema.required ?? [];
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, s] of Object.entries(props)) record[name] = valueFor(s, { ...ctx, name }, depth + 1);
      return fc.record(record, { requiredKeys: required.filter((k) => k in props) });
    }
    default:
      return fc.anything({ maxDepth: 2 });
  }
}

/**
 * One change to a valid JSON value: replace a leaf or member with anything, a text leaf with
 * hostile text, a number with a boundary, a date with one outside any plausible horizon; drop a
 * member; or add an unknown one.
 */
export interface Mutation {
  at: number;
  op: 'replace' | 'text' | 'number' | 'date' | 'drop' | 'extra';
  value: unknown;
  key: string;
}

const hostileText = fc.oneof(
  fc
    .constantFrom('\u0000', '\ud800', '\udc00', '😀', '\u202e', ' ', '')
    .chain((bad) => fc.constantFrom('prefix', 'suffix', 'only').map((where) => ({ bad, where }))),
  fc.constantFrom(300, 5_000).map((n) => ({ bad: 'a'.repeat(n), where: 'only' })),
);

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ at: fc.nat({ max: 10_000 }), op: fc.constant('replace' as const), value: evilValue, key: fc.constant('') }),
  fc.record({ at: fc.nat({ max: 10_000 }), op: fc.constant('text' as const), value: hostileText, key: fc.constant('') }),
  fc.record({
    at: fc.nat({ max: 10_000 }),
    op: fc.constant('number' as const),
    value: fc.constantFrom(0, -1, 0.5, 2 ** 31, 2 ** 53, 2 ** 53 + 2, 1e21, 1e308, -1e308),
    key: fc.constant(''),
  }),
  fc.record({
    at: fc.nat({ max: 10_000 }),
    op: fc.constant('date' as const),
    value: fc.constantFrom(...farDates, ...notDates),
    key: fc.constant(''),
  }),
  fc.record({
    at: fc.nat({ max: 10_000 }),
    op: fc.constantFrom('drop' as const, 'extra' as const),
    value: evilValue,
    key: fc.constantFrom('extra', '__proto__', 'constructor', '', '\u0000', 'id', 'plantId', 'status', 'force'),
  }),
);

const isText = (v: unknown) => typeof v === 'string' || v instanceof PoolRef;
const isDate = (v: unknown) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v);

type Holder = { parent: Record<string, unknown> | unknown[]; key: string | number };

function holders(value: unknown, out: Holder[] = []): Holder[] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push({ parent: value, key: i });
      holders(v, out);
    });
  } else if (value && typeof value === 'object' && !(value instanceof PoolRef)) {
    for (const [k, v] of Object.entries(value)) {
      out.push({ parent: value as Record<string, unknown>, key: k });
      holders(v, out);
    }
  }
  return out;
}

/** Applies mutations to a copy of `value`; the result may be any JSON. */
export function mutate(value: unknown, mutations: Mutation[]): unknown {
  const root = { value: structuredCloneWithRefs(value) };
  for (const m of mutations) {
    const all: Holder[] = [{ parent: root as Record<string, unknown>, key: 'value' }, ...holders(root.value)];
    const leafOf = (h: Holder) => (h.parent as Record<string | number, unknown>)[h.key];
    const wanted =
      m.op === 'text'
        ? all.filter((h) => isText(leafOf(h)))
        : m.op === 'number'
          ? all.filter((h) => typeof leafOf(h) === 'number')
          : m.op === 'date'
            ? all.filter((h) => isDate(leafOf(h)))
            : all;
    const candidates = wanted.length > 0 ? wanted : all;
    const h = candidates[m.at % candidates.length]!;
    const parent = h.parent as Record<string | number, unknown>;
    if (m.op === 'text' && wanted.length > 0) {
      const { bad, where } = m.value as { bad: string; where: string };
      const current = parent[h.key];
      const text = typeof current === 'string' ? current : 'P1';
      parent[h.key] = where === 'prefix' ? bad + text : where === 'suffix' ? text + bad : bad;
    } else if (m.op === 'replace' || m.op === 'number' || m.op === 'date' || m.op === 'text')
      parent[h.key] = m.op === 'text' ? '\u0000' : m.value;
    else if (m.op === 'drop' && h.parent !== root) {
      if (Array.isArray(h.parent)) h.parent.splice(h.key as number, 1);
      else delete parent[h.key];
    } else {
      const target = parent[h.key];
      if (target && typeof target === 'object' && !Array.isArray(target) && !(target instanceof PoolRef)) {
        Object.defineProperty(target, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
      } else parent[h.key] = m.value;
    }
  }
  return root.value;
}

function structuredCloneWithRefs(value: unknown): unknown {
  if (value instanceof PoolRef) return value;
  if (Array.isArray(value)) return value.map(structuredCloneWithRefs);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: structuredCloneWithRefs(v), enumerable: true, configurable: true, writable: true });
    }
    return out;
  }
  return value;
}
