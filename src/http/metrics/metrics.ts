import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { PlantCache } from '../../domain/schedule/plant-cache.ts';
import { toMinute } from '../../domain/schedule/plant-cache.ts';
import type { Clock } from '../../domain/clock.ts';

/** Seconds: from a fast quote (tens of µs) to a slow batch under load. */
const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Writes per batch: powers of two up to the writer's MAX_BATCH (64). */
const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64];
/** A label for requests no route matched, so raw URLs (scanners, typos) never become series. */
const UNMATCHED = 'unmatched';

/**
 * This process's Prometheus instruments, in a registry of its own (tests build several apps
 * in one process). Request, quote and write-batch histograms are observed on the request and
 * write paths (one observe each, no allocation beyond prom-client's label lookup); the plant
 * gauges are computed at scrape time from the engine states this process holds in memory.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Histogram<'route' | 'method' | 'status_class'>;
  private readonly quotes: Histogram;
  private readonly batches: Histogram;
  private readonly batchSizes: Histogram;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.requests = new Histogram({
      name: 'drumbeat_http_request_duration_seconds',
      help: 'HTTP request duration by route template (not raw URL), method and status class (2xx, 4xx, …); "unmatched" when no route matched.',
      labelNames: ['route', 'method', 'status_class'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.quotes = new Histogram({
      name: 'drumbeat_quote_engine_duration_seconds',
      help: 'Engine time of a quote (POST /v1/plants/{plant}/quotes): evaluating the demand against the plant state, without HTTP or the state read.',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.batches = new Histogram({
      name: 'drumbeat_write_batch_duration_seconds',
      help: 'Duration of one write-path batch: the transaction that commits a group of schedule writes of one plant.',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.batchSizes = new Histogram({
      name: 'drumbeat_write_batch_size',
      help: 'Schedule writes committed together in one write-path batch (group commit).',
      buckets: BATCH_SIZE_BUCKETS,
      registers,
    });
  }

  observeRequest(route: string | undefined, method: string, statusCode: number, seconds: number): void {
    this.requests.observe({ route: route ?? UNMATCHED, method, status_class: `${Math.floor(statusCode / 100)}xx` }, seconds);
  }

  observeQuote(seconds: number): void {
    this.quotes.observe(seconds);
  }

  observeBatch(seconds: number, size: number): void {
    this.batches.observe(seconds);
    this.batchSizes.observe(size);
  }

  /**
   * Gauges of the plants held in this process's engine cache, computed when scraped: no
   * database query, so a plant not read or written since the process started (or since its
   * state was dropped) is absent until it is. A plant a write batch is changing is counted
   * once the batch is over: only committed holds and flags.
   */
  watchPlants(cache: PlantCache, clock: Clock): void {
    new Gauge({
      name: 'drumbeat_open_holds',
      help: 'Holds not yet expired, per plant; only plants cached in this process (read or written since start).',
      labelNames: ['plant'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const now = toMinute(clock.now());
        await cache.eachCommitted((plant, state) => {
          let open = 0;
          for (const [, expiry] of state.holdExpiry.entries()) if (expiry > now) open++;
          this.set({ plant }, open);
        });
      },
    });
    new Gauge({
      name: 'drumbeat_at_risk_orders',
      help: 'Committed orders flagged at risk (late against their promise), per plant; only plants cached in this process (read or written since start).',
      labelNames: ['plant'],
      registers: [this.registry],
      async collect() {
        this.reset();
        await cache.eachCommitted((plant, state) => {
          let atRisk = 0;
          // O(orders) once per scrape, not per request.
          for (const order of state.route?.orders() ?? []) if (order.risk) atRisk++;
          this.set({ plant }, atRisk);
        });
      },
    });
  }

  /**
   * Events the active webhook subscriptions of each plant are behind, read from the database at
   * scrape time (one grouped query): the same figure in every process, so take max, not sum.
   */
  watchWebhookBacklog(read: () => Promise<{ plant_id: string; backlog: number }[]>): void {
    new Gauge({
      name: 'drumbeat_webhook_backlog_events',
      help: "Events after the cursors of each plant's active webhook subscriptions (every type: an upper bound of what remains to send); the same in every process.",
      labelNames: ['plant'],
      registers: [this.registry],
      async collect() {
        // A database outage must not fail the whole scrape: the gauge keeps its last values.
        const rows = await read().catch(() => undefined);
        if (!rows) return;
        this.reset();
        for (const r of rows) this.set({ plant: r.plant_id }, r.backlog);
      },
    });
  }
}
