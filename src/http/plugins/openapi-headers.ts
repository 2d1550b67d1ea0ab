/** The parts of an OpenAPI 3.1 document this file completes (the generator's output is untyped). */
export interface OpenApiDocument {
  paths?: Record<string, Record<string, Operation>>;
  components?: Record<string, unknown>;
  [key: string]: unknown;
}

interface Operation {
  parameters?: { in: string; name: string }[];
  security?: unknown[];
  responses?: Record<string, Response>;
  'x-drumbeat-etag'?: boolean;
  [key: string]: unknown;
}

interface Response {
  description?: string;
  content?: Record<string, unknown>;
  headers?: Record<string, unknown>;
}

const header = (description: string, example: string) => ({ description, schema: { type: 'string' }, example });

const HEADERS = {
  RequestId: header(
    'Identifies this request in the service logs (echoes a valid X-Request-Id sent with the request).',
    'b7e4c2f0-5d1a-4c55-9b0e-1f2a3b4c5d6e',
  ),
  ETag: header('The revision of what was read or written: send it back as If-Match (writes) or If-None-Match (reads).', '"7"'),
  IdempotentReplayed: header('"true" when this is the stored answer to an earlier request with the same Idempotency-Key.', 'true'),
  RetryAfter: header('Seconds to wait before retrying.', '5'),
  RateLimitLimit: header('Requests this API key may make per window (sent on every counted request).', '600'),
  RateLimitRemaining: header('Requests left in the current window.', '599'),
  RateLimitReset: header('Seconds until the window resets.', '60'),
};

const ref = (name: keyof typeof HEADERS) => ({ $ref: `#/components/headers/${name}` });

/**
 * Declares what the server sends beyond bodies, from the operations themselves: X-Request-Id on
 * every response, Retry-After on 429 and 503, ETag on operations marked `x-drumbeat-etag` (their
 * route config says `etag: true`), Idempotent-Replayed on every answer of operations that take an Idempotency-Key;
 * a 304 has no body.
 */
export function completeOperations(doc: OpenApiDocument): OpenApiDocument {
  for (const ops of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(ops)) {
      const etag = op['x-drumbeat-etag'] === true;
      delete op['x-drumbeat-etag'];
      const idempotent = (op.parameters ?? []).some((p) => p.in === 'header' && p.name === 'idempotency-key');
      // Public operations (health) opt out of rate limits; every other one counts against its key.
      const limited = op.security?.length !== 0;
      for (const [status, res] of Object.entries(op.responses ?? {})) {
        const code = Number(status);
        const headers: Record<string, unknown> = { 'X-Request-Id': ref('RequestId') };
        if (code === 429 || code === 503) headers['Retry-After'] = ref('RetryAfter');
        if (limited && code < 500) {
          headers['X-RateLimit-Limit'] = ref('RateLimitLimit');
          headers['X-RateLimit-Remaining'] = ref('RateLimitRemaining');
          headers['X-RateLimit-Reset'] = ref('RateLimitReset');
        }
        if (etag && (code < 300 || code === 304)) headers.ETag = ref('ETag');
        // A stored refusal is replayed too.
        if (idempotent) headers['Idempotent-Replayed'] = ref('IdempotentReplayed');
        if (code === 304) delete res.content;
        res.headers = { ...res.headers, ...headers };
      }
    }
  }
  doc.components = { ...doc.components, headers: HEADERS };
  // The servers are this service itself, listed for clients and the docs page: none is internal.
  for (const server of (doc.servers ?? []) as Record<string, unknown>[]) server['x-internal'] = false;
  dropUnusedInputSchemas(doc);
  namedIntegers(doc);
  return doc;
}

const SAFE = Number.MAX_SAFE_INTEGER;

/**
 * zod states every integer with JavaScript's safe bounds (±9007199254740991), which documentation
 * viewers print as the example of every count and minute. The bounds say no more than
 * `format: int64`, so they become that; real bounds (e.g. `minimum: 1`) stay.
 */
function namedIntegers(node: unknown) {
  if (Array.isArray(node)) {
    for (const item of node) namedIntegers(item);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const o = node as Record<string, unknown>;
  if (o.type === 'integer') {
    if (o.minimum === -SAFE) delete o.minimum;
    if (o.maximum === SAFE) delete o.maximum;
    o.format ??= 'int64';
  }
  for (const v of Object.values(o)) namedIntegers(v);
}

/**
 * The zod transform emits every named schema twice, as read (`Order`) and as written
 * (`OrderInput`); most are only ever read. Drops the written forms nothing refers to.
 */
function dropUnusedInputSchemas(doc: OpenApiDocument) {
  const schemas = (doc.components?.schemas ?? {}) as Record<string, unknown>;
  for (;;) {
    const text = JSON.stringify({ ...doc, components: { ...doc.components, schemas: {} } }) + JSON.stringify(schemas);
    const unused = Object.keys(schemas).filter((name) => name.endsWith('Input') && !text.includes(`"#/components/schemas/${name}"`));
    if (unused.length === 0) return;
    for (const name of unused) delete schemas[name];
  }
}
