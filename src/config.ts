import { z } from 'zod';
import { parseSecretKey } from './domain/webhooks/secret-box.ts';

/**
 * Rate limit defaults: well above what one process serves (about 20,000 no-op and 9,000 quote
 * requests/s on one key in bench/RESULTS.md, i.e. at most 1.3 M per minute), so they never
 * throttle the benchmark, the fuzz harness or a polling client; they stop a runaway client or a
 * flood of garbage keys, and an operator sets them lower for shared deployments.
 */
export const RATE_LIMIT_DEFAULTS = { windowSeconds: 60, perKey: 6_000_000, failuresPerAddress: 10_000 } as const;

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  /**
   * The table owner's URL, for migrations (and the grants to the service's role). Unset: the
   * service migrates with DATABASE_URL itself, and then owns the tables (no trust boundary).
   */
  MIGRATION_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(logLevels).default('info'),
  /** Largest quantity accepted on one order line; protects the drum from absurd loads. */
  MAX_ORDER_QUANTITY: z.coerce.number().int().min(1).max(1_000_000_000).default(1_000_000),
  /**
   * Interval of the background sweep that expires holds (expiry is also checked on every schedule access).
   * At most a day: Node timers overflow past 2^31 ms and then fire at once, spinning the idle process.
   */
  HOLD_SWEEP_SECONDS: z.coerce.number().min(1).max(86_400).default(15),
  /** How long start-up keeps retrying an unreachable database before giving up. */
  DATABASE_START_TIMEOUT_SECONDS: z.coerce.number().int().min(0).max(3_600).default(60),
  /** Comma-separated browser origins allowed to call the API (CORS); unset: CORS off. */
  CORS_ORIGINS: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/?#\s]+$/, 'must be an origin: scheme://host[:port], no path or trailing slash')))
    .default([]),
  /**
   * Days from today that every date the API accepts may lie (either way), and how far every
   * engine search looks for capacity. Default about five years.
   */
  PLANNING_HORIZON_DAYS: z.coerce.number().int().min(30).max(3660).default(1826),
  /** Window, in seconds, of the two rate limits below (counted per process). */
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3_600).default(RATE_LIMIT_DEFAULTS.windowSeconds),
  /** Requests one API key may make per window in one process; above it, 429. */
  RATE_LIMIT_PER_KEY: z.coerce.number().int().min(1).max(100_000_000).default(RATE_LIMIT_DEFAULTS.perKey),
  /** Failed authentications one client address may make per window in one process; above it, 429 before any key lookup. */
  AUTH_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).max(10_000_000).default(RATE_LIMIT_DEFAULTS.failuresPerAddress),
  /** `on`: serve GET /internal/event-loop (admin keys; hidden from OpenAPI) with the event-loop delay, for the bench. */
  EVENT_LOOP_PROBE: z.enum(['on', 'off']).default('off'),
  /** `on`: serve POST /v1/plants/{plant}/noop, the benchmark's HTTP floor (a quote's auth and validation, no work). */
  BENCH_FLOOR: z.enum(['on', 'off']).default('off'),
  /**
   * Behind a reverse proxy or load balancer: how many proxy hops to trust for the client address
   * (X-Forwarded-For). 0: the TCP peer is the client. Per-address limits need the real address.
   */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /**
   * Port of the Prometheus scrape endpoint (GET /metrics), a listener separate from the API's:
   * unset, no metrics are collected or served. It has no authentication: bind it where only
   * the scraper reaches it (METRICS_HOST).
   */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Interface of the metrics listener; the default serves this machine only. */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * Days quote records are kept one by one; older ones are folded into per-day counts the
   * KPIs read instead (same answers) and deleted, by a background job. Unset: kept for ever.
   */
  QUOTE_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_600).optional(),
  /**
   * The AES-256 key that seals webhook signing secrets at rest: 32 bytes as base64 or 64 hex
   * digits. Unset: the embedded database keeps a generated key file in DATA_DIR; on PostgreSQL
   * webhook subscriptions cannot be created (every process must share one key).
   */
  WEBHOOK_SECRET_KEY: z
    .string()
    .transform(
      (s, ctx) => parseSecretKey(s) ?? (ctx.addIssue({ code: 'custom', message: 'must be 32 bytes as base64 or 64 hex digits' }), z.NEVER),
    )
    .optional(),
  /** Comma-separated hosts or addresses webhooks may target although they are loopback or private (e.g. 127.0.0.1). */
  WEBHOOK_ALLOW_HOSTS: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean),
    )
    .default([]),
  /** Consecutive failed attempts after which a subscription pauses (its cursor and order kept). */
  WEBHOOK_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(8),
  /** First retry delay; each further failure doubles it (half of it random jitter), up to WEBHOOK_RETRY_MAX_SECONDS. */
  WEBHOOK_RETRY_BASE_SECONDS: z.coerce.number().min(0.01).max(3_600).default(10),
  WEBHOOK_RETRY_MAX_SECONDS: z.coerce.number().min(0.01).max(86_400).default(3_600),
  /** One delivery attempt's limit. */
  WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().min(0.1).max(60).default(10),
  /** How long a process's claim on a subscription lasts without renewal (a killed process's claim runs out after it); more than twice the timeout. */
  WEBHOOK_LEASE_SECONDS: z.coerce.number().min(1).max(3_600).default(60),
  /** Days delivery attempts stay in the log (GET …/webhooks/{id}/deliveries); older ones are pruned hourly. */
  WEBHOOK_DELIVERY_LOG_DAYS: z.coerce.number().int().min(1).max(3_650).default(30),
  /** Poll interval of the deliverer (change notifications wake it sooner). */
  WEBHOOK_POLL_SECONDS: z.coerce.number().min(0.01).max(3_600).default(5),
  /**
   * OpenTelemetry tracing (src/tracing.ts), off unless one of these asks for it: the standard
   * variables, checked here so a typo stops start-up instead of silently tracing nothing.
   * OTEL_TRACES_EXPORTER decides when set; otherwise an OTLP endpoint alone turns OTLP/HTTP on.
   */
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'console', 'none']).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('drumbeat'),
  OTEL_SDK_DISABLED: z.enum(['true', 'false']).optional(),
  /** Absolute lifetime of a web board session (the cookie POST /app/session sets), in hours; no sliding renewal. */
  WEB_SESSION_HOURS: z.coerce.number().int().min(1).max(72).default(8),
  /** The built web app served at /app; unset: web/dist under the installed package. */
  WEB_DIST_DIR: z.string().min(1).optional(),
  /** Public base URL used in the docs' server list. */
  PUBLIC_URL: z.string().url().optional(),
});

export type Config = z.infer<typeof envSchema>;

export class ConfigError extends Error {}

/** Parses the environment once; the message names the first bad variable in one line. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Invalid environment variable ${issue.path.join('.')}: ${issue.message}`);
  }
  const c = parsed.data;
  // A claim must outlast the attempt it was renewed for, or two processes could send at once.
  if (c.WEBHOOK_LEASE_SECONDS <= 2 * c.WEBHOOK_TIMEOUT_SECONDS) {
    throw new ConfigError('Invalid environment variable WEBHOOK_LEASE_SECONDS: must be more than twice WEBHOOK_TIMEOUT_SECONDS');
  }
  if (c.WEBHOOK_RETRY_MAX_SECONDS < c.WEBHOOK_RETRY_BASE_SECONDS) {
    throw new ConfigError('Invalid environment variable WEBHOOK_RETRY_MAX_SECONDS: must be at least WEBHOOK_RETRY_BASE_SECONDS');
  }
  return c;
}
