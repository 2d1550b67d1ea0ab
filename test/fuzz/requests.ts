import fc from 'fast-check';
import type { Role } from '../../src/domain/actor.ts';
import type { Operation, Parameter } from './operations.ts';
import { evilValue, mutate, mutationArb, PoolRef, valueFor, type Mutation, type PoolName } from './values.ts';

/** A path segment or query text sent exactly as written (bad percent-encoding, over-long values). */
export class Raw {
  constructor(readonly text: string) {}
  toJSON() {
    return this.text.length > 80 ? `<raw ${this.text.slice(0, 40)}… (${this.text.length} chars)>` : `<raw ${this.text}>`;
  }
}

export type RoleChoice = { kind: 'allowed'; n: number } | { kind: 'role'; role: Role } | { kind: 'header'; value: string | null };

export type BodyPlan =
  { kind: 'none' } | { kind: 'json'; value: unknown; mutations: Mutation[] } | { kind: 'raw'; text: string; contentType: string | null };

/** A request before pool references are resolved: what fast-check generates and shrinks. */
export interface RequestPlan {
  op: Operation;
  method: string;
  path: Record<string, unknown>;
  query: [string, unknown][];
  headers: Record<string, unknown>;
  role: RoleChoice;
  body: BodyPlan;
  urlSuffix: '' | '/' | '//' | '?' | '#frag';
}

/** Path segments the router and validators must survive. */
const evilSegments = [
  ...[101, 201, 250, 5_000].map((n) => 'a'.repeat(n)),
  '%C3%A9'.repeat(150),
  '%F0%9F%98%80'.repeat(60),
  '%zz',
  '%',
  '%E0%A4%A',
  '%ED%A0%80',
  '%C0%AF',
  '%FF',
  '%00',
  'a%00b',
  '%2F',
  '..',
  '%2e%2e',
  ' ',
  '%20',
  'plant-1;x=1',
  '%3Cscript%3E',
].map((s) => new Raw(s));

const rawBodies = [
  '{',
  '{"sku":',
  '[',
  '}',
  '',
  ' ',
  'null',
  '"text"',
  '0',
  '1e400',
  '{"quantity": 1e400, "sku": "P1"}',
  '{"quantity": -1e400}',
  '{"__proto__": {"polluted": true}}',
  '{"constructor": {"prototype": {"polluted": true}}}',
  `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
  '\u0000',
  '{"sku":"P1","quantity":1,"sku":"P2"}',
  '\ufeff{}',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  "{'single': 'quotes'}",
  '{"a":1,}',
  'NaN',
];

const contentTypes = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/problem+json',
  'APPLICATION/JSON',
  'application/json;',
  'application/jsonx',
  'garbage',
];

const idPoolFor = (path: string): PoolName => {
  if (path.includes('/holds/')) return 'holds';
  if (path.includes('/capacity-changes/')) return 'capacity-changes';
  if (path.includes('/api-keys/')) return 'api-keys';
  return 'orders';
};

function pathValue(op: Operation, p: Parameter, clean: boolean): fc.Arbitrary<unknown> {
  const existing = fc.nat({ max: 1_000_000 }).map((n) => new PoolRef(idPoolFor(op.path), n));
  const valid =
    p.name === 'id'
      ? clean
        ? existing
        : fc.oneof({ weight: 9, arbitrary: existing }, { weight: 1, arbitrary: fc.uuid() })
      : valueFor(p.schema, { name: p.name, clean });
  if (clean) return valid;
  return fc.oneof(
    { weight: 14, arbitrary: valid },
    { weight: 1, arbitrary: fc.constantFrom(...evilSegments) },
    { weight: 1, arbitrary: evilValue.filter((v) => typeof v === 'string' || typeof v === 'number') },
  );
}

function queryValue(p: Parameter, clean: boolean): fc.Arbitrary<[string, unknown][]> {
  if (clean) {
    const entry = valueFor(p.schema, { name: p.name, clean }).map((v): [string, unknown][] => [[p.name, v]]);
    return p.required ? entry : fc.oneof(entry, fc.constant<[string, unknown][]>([]));
  }
  const value = fc.oneof(
    { weight: 10, arbitrary: valueFor(p.schema, { name: p.name }) },
    { weight: 1, arbitrary: evilValue },
    { weight: 1, arbitrary: fc.constantFrom(new Raw('%zz'), new Raw('%E0%A4'), new Raw('%00'), new Raw(''), new Raw('a'.repeat(5_000))) },
  );
  const entry = value.map((v): [string, unknown][] => [[p.name, v]]);
  const twice = fc.tuple(value, value).map(([a, b]): [string, unknown][] => [
    [p.name, a],
    [p.name, b],
  ]);
  const options = [
    { weight: 12, arbitrary: entry },
    { weight: 1, arbitrary: twice },
  ];
  if (!p.required) options.push({ weight: 6, arbitrary: fc.constant([]) });
  return fc.oneof(...options);
}

function headerValue(p: Parameter, clean: boolean): fc.Arbitrary<unknown> {
  if (clean) return p.name === 'idempotency-key' ? fc.option(fc.uuid(), { nil: undefined }) : fc.constant(undefined);
  const valid =
    p.name === 'if-match'
      ? fc.oneof(
          fc.nat({ max: 60 }).map((n) => `"${n}"`),
          fc.constantFrom('*', 'W/"1"', '"99999999999999999999"', '"-1"', 'garbage', '""'),
        )
      : p.name === 'idempotency-key'
        ? fc.oneof(fc.uuid(), fc.constantFrom('fuzz-key-1', 'fuzz-key-2'))
        : valueFor(p.schema, { name: p.name });
  const evil = fc.constantFrom('', ' ', 'a'.repeat(201), 'a'.repeat(8_000), 'é', '\t', '"');
  return fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 8, arbitrary: valid }, { weight: 1, arbitrary: evil });
}

const roleArb: fc.Arbitrary<RoleChoice> = fc.oneof(
  { weight: 17, arbitrary: fc.nat({ max: 1_000 }).map((n) => ({ kind: 'allowed' as const, n })) },
  { weight: 2, arbitrary: fc.constantFrom<Role>('admin', 'planner', 'sales', 'erp').map((role) => ({ kind: 'role' as const, role })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        null,
        'Bearer drb_nope',
        'Bearer',
        'Basic dXNlcjpwYXNz',
        `Bearer ${'x'.repeat(5_000)}`,
        'bearer  drb_\u00e9',
        'Bearer a b',
      )
      .map((value) => ({ kind: 'header' as const, value })),
  },
);

function bodyArb(op: Operation, mode: Mode): fc.Arbitrary<BodyPlan> {
  if (mode !== 'wild') {
    if (!op.body) return fc.constant<BodyPlan>({ kind: 'none' });
    const mutations = mode === 'one' ? fc.array(mutationArb, { minLength: 1, maxLength: 1 }) : fc.constant<Mutation[]>([]);
    return fc
      .tuple(valueFor(op.body.schema, { name: '', clean: true }), mutations)
      .map(([value, m]): BodyPlan => ({ kind: 'json', value, mutations: m }));
  }
  const raw = fc
    .tuple(fc.constantFrom(...rawBodies), fc.oneof(fc.constant('application/json'), fc.constantFrom(...contentTypes)))
    .map(([text, contentType]): BodyPlan => ({ kind: 'raw', text, contentType }));
  const evilJson = evilValue.map((value): BodyPlan => ({ kind: 'json', value, mutations: [] }));
  if (!op.body) {
    return fc.oneof(
      { weight: 18, arbitrary: fc.constant<BodyPlan>({ kind: 'none' }) },
      { weight: 1, arbitrary: raw },
      { weight: 1, arbitrary: evilJson },
    );
  }
  const json = fc
    .tuple(valueFor(op.body.schema), fc.oneof(fc.constant<Mutation[]>([]), fc.array(mutationArb, { minLength: 1, maxLength: 3 })))
    .map(([value, mutations]): BodyPlan => ({ kind: 'json', value, mutations }));
  const wrongType = fc
    .tuple(valueFor(op.body.schema), fc.constantFrom(...contentTypes))
    .map(([value, contentType]): BodyPlan => ({ kind: 'raw', text: JSON.stringify(value) ?? '', contentType }));
  return fc.oneof(
    { weight: 30, arbitrary: json },
    { weight: 2, arbitrary: raw },
    { weight: 1, arbitrary: wrongType },
    { weight: 1, arbitrary: fc.constant<BodyPlan>({ kind: 'none' }) },
    { weight: 1, arbitrary: evilJson },
  );
}

/**
 * Requests for one operation, in three equal parts: clean (valid values, existing names, an allowed
 * role: they reach the engine), clean but for one mutated value (finds the one field a layer forgets
 * to check), and wild (any value anywhere, broken URLs, bodies, content types, keys and methods).
 */
function requestArb(op: Operation): fc.Arbitrary<RequestPlan> {
  return fc.oneof(planArb(op, 'clean'), planArb(op, 'one'), planArb(op, 'wild'));
}

type Mode = 'clean' | 'one' | 'wild';

function planArb(op: Operation, mode: Mode): fc.Arbitrary<RequestPlan> {
  const clean = mode !== 'wild';
  const pathParams = op.params.filter((p) => p.in === 'path');
  const queryParams = op.params.filter((p) => p.in === 'query');
  const headerParams = op.params.filter((p) => p.in === 'header');
  const path = fc.record(Object.fromEntries(pathParams.map((p) => [p.name, pathValue(op, p, clean)])));
  const query = fc
    .tuple(
      fc.tuple(...queryParams.map((p) => queryValue(p, mode === 'clean' || (mode === 'one' && op.body !== undefined)))),
      fc.oneof(
        { weight: clean ? 1_000_000 : 12, arbitrary: fc.constant<[string, unknown][]>([]) },
        { weight: 1, arbitrary: fc.tuple(fc.constantFrom('x', 'limit', '__proto__', ''), evilValue).map((e): [string, unknown][] => [e]) },
      ),
    )
    .map(([known, extra]) => [...known.flat(), ...extra]);
  const headers = fc.record(Object.fromEntries(headerParams.map((p) => [p.name, headerValue(p, clean)])));
  const method = fc.oneof(
    { weight: clean ? 1_000_000 : 40, arbitrary: fc.constant(op.method) },
    { weight: 1, arbitrary: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS') },
  );
  const urlSuffix = fc.oneof(
    { weight: clean ? 1_000_000 : 40, arbitrary: fc.constant<RequestPlan['urlSuffix']>('') },
    { weight: 1, arbitrary: fc.constantFrom<RequestPlan['urlSuffix']>('/', '//', '?', '#frag') },
  );
  return fc
    .record({
      method,
      path,
      query,
      headers,
      role: clean ? fc.nat({ max: 1_000 }).map((n): RoleChoice => ({ kind: 'allowed', n })) : roleArb,
      body: bodyArb(op, mode),
      urlSuffix,
    })
    .map((r) => ({ op, ...r, body: r.body.kind === 'json' ? { ...r.body, value: mutate(r.body.value, r.body.mutations) } : r.body }));
}

/** Any operation, each equally likely. */
export const anyRequestArb = (ops: Operation[]) => fc.oneof(...ops.map(requestArb));
