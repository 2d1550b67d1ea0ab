import { Writable } from 'node:stream';
import fc from 'fast-check';
import type { Role } from '../../src/domain/actor.ts';
import type { TestApp } from '../helpers/app.ts';
import { matchKnownIssue, type KnownIssue } from './known-issues.ts';
import type { Operation } from './operations.ts';
import { anyRequestArb, Raw, type RequestPlan } from './requests.ts';
import { PoolRef, type PoolName } from './values.ts';

/** A request as sent, printable and replayable with `app.inject`. */
export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

export interface Finding {
  index: number;
  op: string;
  request: SentRequest;
  status: number;
  body: string;
  /** The logged error behind a 5xx: message and the first stack frames. */
  cause?: string;
  problem: string;
  known?: KnownIssue;
}

export interface FuzzReport {
  seed: number;
  requests: number;
  byStatus: Record<number, number>;
  /** Requests and 2xx answers per operation. */
  byOperation: Record<string, { sent: number; ok: number }>;
  failures: Finding[];
  known: Finding[];
  slowest: { ms: number; op: string; request: SentRequest }[];
  seconds: number;
  /** Successful requests that may make a committed order late by design: facts (progress, release, downtime) and master-data changes. */
  factsRecorded: number;
}

/** Operations whose success may legitimately make the schedule infeasible (DOMAIN.md: facts are recorded, never refused). */
const FACT_OPS =
  /\/(progress|release|capacity-changes(\/\{id\})?|resources\/\{resource\}|products\/\{sku\}|buffer-policy|buffer-suggestions\/apply)$/;

const ROLES: Role[] = ['planner', 'admin', 'sales', 'erp'];
const MAX_POOL = 300;

/** Collects the app's error log lines by request id, so a 5xx can be reported with its cause. */
export function errorLog() {
  const byRequest = new Map<string, string>();
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        try {
          const entry = JSON.parse(line) as { reqId?: string; msg?: string; err?: { type?: string; message?: string; stack?: string } };
          if (!entry.reqId) continue;
          const stack = (entry.err?.stack ?? '').split('\n').slice(0, 8).join('\n');
          byRequest.set(entry.reqId, `${entry.msg ?? ''}: ${entry.err?.type ?? ''} ${entry.err?.message ?? ''}\n${stack}`);
        } catch {
          // not JSON: ignore
        }
      }
      done();
    },
  });
  return { logger: { level: 'error', stream }, causeOf: (reqId: string) => byRequest.get(reqId) };
}

/**
 * The things that exist: the seeded plant, then whatever the run creates. Picks favour the seeded
 * names (a run creates many bare plants, which would otherwise crowd out the one with orders) and
 * the newest ids (older orders are soon shipped or cancelled).
 */
export class Pools {
  private readonly pools = new Map<PoolName, string[]>();
  private readonly seeded = new Map<PoolName, number>();
  constructor(initial: Partial<Record<PoolName, string[]>>) {
    for (const [name, values] of Object.entries(initial)) {
      this.pools.set(name as PoolName, [...values]);
      this.seeded.set(name as PoolName, values.length);
    }
  }
  add(pool: PoolName, value: string) {
    const list = this.pools.get(pool) ?? [];
    if (list.includes(value)) return;
    if (list.length >= MAX_POOL) list.splice(this.seeded.get(pool) ?? 0, 1);
    list.push(value);
    this.pools.set(pool, list);
  }
  pick(ref: PoolRef): string {
    const list = this.pools.get(ref.pool) ?? [];
    if (list.length === 0) return ref.pool === 'externalId' ? `EXT-${ref.n}` : '00000000-0000-4000-8000-000000000000';
    const seeded = this.seeded.get(ref.pool) ?? 0;
    const names = ref.pool === 'plant' || ref.pool === 'resource' || ref.pool === 'sku';
    if (names && seeded > 0 && ref.n % 4 !== 0) return list[(ref.n >> 2) % seeded]!;
    if (!names && ref.n % 2 === 0) return list[list.length - 1 - ((ref.n >> 1) % Math.min(list.length, 8))]!;
    return list[ref.n % list.length]!;
  }
}

const resolve = (value: unknown, pools: Pools): unknown => {
  if (value instanceof PoolRef) return pools.pick(value);
  if (value instanceof Raw) return value;
  if (Array.isArray(value)) return value.map((v) => resolve(v, pools));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: resolve(v, pools), enumerable: true, configurable: true, writable: true });
    }
    return out;
  }
  return value;
};

/** encodeURIComponent throws on unpaired surrogates; send them as the (invalid) UTF-8 of the code unit. */
function encode(value: unknown): string {
  if (value instanceof Raw) return value.text;
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  return Array.from(text, (ch) => {
    try {
      return encodeURIComponent(ch);
    } catch {
      const c = ch.charCodeAt(0);
      return [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    }
  }).join('');
}

/** Which roles each operation refused by role (learnt from 403s), so most requests reach the handler. */
class RoleLearner {
  private readonly refused = new Map<string, Set<Role>>();
  pick(op: string, n: number): Role {
    const refused = this.refused.get(op) ?? new Set();
    const candidates = ROLES.filter((r) => !refused.has(r));
    return (candidates.length > 0 ? candidates : ROLES)[n % (candidates.length || ROLES.length)]!;
  }
  refuse(op: string, role: Role) {
    const set = this.refused.get(op) ?? new Set<Role>();
    set.add(role);
    this.refused.set(op, set);
  }
}

function toRequest(plan: RequestPlan, pools: Pools, t: TestApp, roles: RoleLearner): { req: SentRequest; role?: Role } {
  const path = resolve(plan.path, pools) as Record<string, unknown>;
  let url = plan.op.path.replace(/\{(\w+)\}/g, (_, name: string) => encode(path[name]));
  const query = (resolve(plan.query, pools) as [string, unknown][]).map(([k, v]) => `${encode(k)}=${encode(v)}`);
  url += plan.urlSuffix === '#frag' || plan.urlSuffix === '?' ? '' : plan.urlSuffix;
  if (query.length > 0) url += `?${query.join('&')}`;
  else if (plan.urlSuffix === '?') url += '?';
  if (plan.urlSuffix === '#frag') url += '#frag';
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(resolve(plan.headers, pools) as Record<string, unknown>)) {
    if (value !== undefined) headers[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  let role: Role | undefined;
  if (plan.role.kind === 'allowed') role = roles.pick(plan.op.key, plan.role.n);
  else if (plan.role.kind === 'role') role = plan.role.role;
  if (role) headers.authorization = `Bearer ${t.keys[role]}`;
  else if (plan.role.kind === 'header' && plan.role.value !== null) headers.authorization = plan.role.value;
  const req: SentRequest = { method: plan.method, url, headers };
  if (plan.body.kind === 'json') {
    const text = JSON.stringify(resolve(plan.body.value, pools));
    if (text !== undefined) {
      req.payload = text;
      headers['content-type'] = 'application/json';
    }
  } else if (plan.body.kind === 'raw') {
    req.payload = plan.body.text;
    if (plan.body.contentType !== null) headers['content-type'] = plan.body.contentType;
  }
  return role ? { req, role } : { req };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Remembers what a successful request created or listed, so later requests can name it. */
function harvest(op: Operation, req: SentRequest, body: unknown, pools: Pools) {
  if (op.path === '/v1/api-keys' && op.method === 'GET') return; // never the harness's own keys
  const collection: PoolName = op.path.endsWith('/confirm')
    ? 'orders'
    : op.path.includes('/holds')
      ? 'holds'
      : op.path.includes('/capacity-changes')
        ? 'capacity-changes'
        : op.path.startsWith('/v1/api-keys')
          ? 'api-keys'
          : 'orders';
  const walk = (v: unknown, key: string) => {
    if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
    else if (typeof v === 'string' && (UUID.test(v) || (collection === 'api-keys' && key === 'id'))) {
      if (key === 'id') pools.add(collection, v);
      else if (key === 'orderId') pools.add('orders', v);
      else if (key === 'holdId') pools.add('holds', v);
    }
  };
  walk(body, '');
  const segments = req.url
    .split('?')[0]!
    .split('/')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  if (op.method === 'POST' && op.path === '/v1/plants') {
    const id = (body as { id?: unknown }).id;
    if (typeof id === 'string') pools.add('plant', id);
  }
  if (op.method === 'PUT' && op.path.endsWith('/resources/{resource}')) pools.add('resource', segments[5]!);
  if (op.method === 'PUT' && op.path.endsWith('/products/{sku}')) pools.add('sku', segments[5]!);
  if (op.method === 'PUT' && op.path.endsWith('/by-external-id/{externalId}')) pools.add('externalId', segments[6]!);
}

const PROBLEM_TYPE = /^https:\/\/drumbeat\.dev\/problems\/[a-z-]+$/;

/** What is wrong with an error response's shape, or undefined when it is a proper problem+json. */
function problemShape(method: string, status: number, contentType: string, body: string): string | undefined {
  if (!contentType.startsWith('application/problem+json')) return `content-type "${contentType}" is not application/problem+json`;
  if (method === 'HEAD') return body === '' ? undefined : 'HEAD response has a body';
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return 'body is not JSON';
  }
  if (typeof doc.type !== 'string' || !PROBLEM_TYPE.test(doc.type)) return `type ${JSON.stringify(doc.type)}`;
  if (typeof doc.title !== 'string' || typeof doc.detail !== 'string') return 'title or detail missing';
  if (doc.status !== status) return `status member ${JSON.stringify(doc.status)} differs from ${status}`;
  if (/\bat .*\.(ts|js):\d+/.test(body)) return 'stack trace in body';
  return undefined;
}

export interface RunOptions {
  operations: Operation[];
  requests: number;
  seed: number;
  pools: Pools;
  causeOf: (reqId: string) => string | undefined;
  /** Called every 1000 requests (progress for long runs). */
  progress?: (done: number) => void;
}

/** Sends `requests` generated requests, one at a time, and classifies every answer. */
export async function fuzz(t: TestApp, opts: RunOptions): Promise<FuzzReport> {
  const started = Date.now();
  const plans = fc.sample(anyRequestArb(opts.operations), { seed: opts.seed, numRuns: opts.requests });
  const report: FuzzReport = {
    seed: opts.seed,
    requests: 0,
    byStatus: {},
    byOperation: Object.fromEntries(opts.operations.map((o) => [o.key, { sent: 0, ok: 0 }])),
    failures: [],
    known: [],
    slowest: [],
    seconds: 0,
    factsRecorded: 0,
  };
  const roles = new RoleLearner();
  const trace = process.env.FUZZ_TRACE ? new RegExp(process.env.FUZZ_TRACE) : undefined;
  for (const [index, plan] of plans.entries()) {
    const { req, role } = toRequest(plan, opts.pools, t, roles);
    const began = performance.now();
    const res = await t.app.inject({
      method: req.method as 'GET',
      url: req.url,
      headers: req.headers,
      ...(req.payload === undefined ? {} : { payload: req.payload }),
    });
    const ms = performance.now() - began;
    if (ms > 2_000)
      console.log(`[fuzz] slow: #${index} ${Math.round(ms)} ms ${req.method} ${req.url.slice(0, 120)} ${req.payload?.slice(0, 200) ?? ''}`);
    if (trace?.test(plan.op.key)) {
      console.log(
        `#${index} ${req.method} ${req.url.slice(0, 120)} ${req.payload?.slice(0, 300) ?? ''}\n  -> ${res.statusCode} ${res.body.slice(0, 300)}`,
      );
    }
    report.requests++;
    report.byStatus[res.statusCode] = (report.byStatus[res.statusCode] ?? 0) + 1;
    const stats = report.byOperation[plan.op.key]!;
    stats.sent++;
    if (res.statusCode < 300) stats.ok++;
    if (res.statusCode < 300 && plan.op.method !== 'GET' && FACT_OPS.test(plan.op.path)) report.factsRecorded++;
    report.slowest.push({ ms: Math.round(ms), op: plan.op.key, request: req });
    report.slowest.sort((a, b) => b.ms - a.ms).splice(5);

    if (role && res.statusCode === 403 && res.body.includes(`Role \\"${role}\\" may not`)) roles.refuse(plan.op.key, role);
    // JSON and problem+json, not NDJSON (the event export): one document to harvest ids from.
    if (res.statusCode < 300 && res.body !== '' && /[/+]json\b/.test(String(res.headers['content-type']))) {
      harvest(plan.op, req, res.json(), opts.pools);
    }

    const problems: string[] = [];
    if (res.statusCode >= 500) problems.push(`server error ${res.statusCode}`);
    if (res.statusCode >= 400) {
      const shape = problemShape(req.method, res.statusCode, String(res.headers['content-type'] ?? ''), res.body);
      if (shape) problems.push(shape);
    }
    if (problems.length > 0) {
      const reqId = String(res.headers['x-request-id'] ?? '');
      const cause = opts.causeOf(reqId);
      const finding: Finding = {
        index,
        op: plan.op.key,
        request: req,
        status: res.statusCode,
        body: res.body.slice(0, 500),
        ...(cause ? { cause } : {}),
        problem: problems.join('; '),
      };
      const known = matchKnownIssue(finding);
      if (known) report.known.push({ ...finding, known });
      else report.failures.push(finding);
    }
    if ((index + 1) % 1000 === 0) opts.progress?.(index + 1);
  }
  report.seconds = Math.round((Date.now() - started) / 100) / 10;
  return report;
}

/** A failure as text: the seed to replay the run and the request to replay alone. */
export function describeFinding(f: Finding, seed: number): string {
  const body = f.request.payload === undefined ? '' : `\n  body: ${f.request.payload.slice(0, 300)}`;
  const headers = Object.fromEntries(Object.entries(f.request.headers).filter(([k]) => k !== 'authorization'));
  return [
    `#${f.index} (FUZZ_SEED=${seed}) ${f.op}: ${f.problem}`,
    `  ${f.request.method} ${f.request.url.slice(0, 300)}`,
    `  headers: ${JSON.stringify(headers)}${body}`,
    `  -> ${f.status} ${f.body.slice(0, 300)}`,
    ...(f.cause ? [`  cause: ${f.cause.split('\n').join('\n    ')}`] : []),
  ].join('\n');
}
