import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/database.ts';
import { listEvents } from '../../db/repos/events.ts';
import { CHANGES_CHANNEL } from '../../db/repos/plant-versions.ts';
import {
  anyActiveWebhookSubscription,
  claimDueWebhookSubscriptions,
  insertWebhookDelivery,
  pruneWebhookDeliveries,
  releaseWebhookLease,
  renewWebhookLease,
  settleWebhookSubscription,
  webhookBacklogByPlant,
  type WebhookLease,
  type WebhookSubscriptionRow,
} from '../../db/repos/webhooks.ts';
import type { Clock } from '../clock.ts';
import type { DbHandle } from '../../db/connect.ts';
import { eventId, webhookBody } from './message.ts';
import { open } from './secret-box.ts';
import { sendSigned, type SendResult } from './send.ts';
import { retryDelayMs, type WebhookSettings } from './settings.ts';
import { secretContext } from './subscriptions.ts';

/** Events read per claim; a subscription further behind is claimed again right after. */
const EVENTS_PER_CLAIM = 100;
/** How often the poll prunes the delivery log. */
const PRUNE_EVERY_MS = 3_600_000;
/** Rounds of claims one run may make; a guard against a loop, far above any real backlog per wake. */
const MAX_ROUNDS = 10_000;

export interface DelivererDeps {
  db: Db;
  clock: Clock;
  settings: WebhookSettings;
  onError?: (err: unknown) => void;
  /** Test seam: the jitter's random number in [0, 1). */
  random?: () => number;
}

/**
 * Delivers each subscription's events from the event log, in sequence order, at least once.
 * A run claims due subscriptions (a lease taken with FOR UPDATE SKIP LOCKED, so one process
 * delivers a subscription at a time) and sends their events one by one after the cursor; a
 * success moves the cursor, a failure records the attempt, schedules the retry with backoff
 * and stops that subscription there (order is kept), and after `maxFailures` in a row pauses
 * it. A process killed mid-send leaves the cursor before the event: the next holder sends it
 * again, with the same webhook-id. Woken by the database's change notifications (after every
 * commit that appended events, in any process) and by a poll. Not by the writer's afterAppend
 * hook: it runs inside the writing transaction, before the commit, so a claim it started could
 * look before the events are visible, and it would hear only this process's writes.
 */
export class WebhookDeliverer {
  private timer: NodeJS.Timeout | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopping = false;
  /** Only a started deliverer runs on wakes; tests drive an unstarted one with runOnce. */
  private started = false;
  /**
   * False once a poll found no active subscription anywhere: then commit notifications are
   * ignored (no claim query per commit on a plant nobody subscribed to) until a poll or this
   * process's own API call (create, resume, replay) finds or makes one.
   */
  private subscribed = true;
  private prunedAt = -Infinity;
  private readonly aborter = new AbortController();

  constructor(private readonly deps: DelivererDeps) {}

  /** Starts polling (and listening, when the database notifies); no-op when pollMs is 0. */
  async start(listen?: DbHandle['listen']) {
    if (this.deps.settings.pollMs <= 0) return;
    this.started = true;
    this.timer = setInterval(() => this.wake('poll'), this.deps.settings.pollMs);
    this.timer.unref();
    if (listen) {
      this.unlisten = await listen(
        CHANGES_CHANNEL,
        () => this.wake('commit'),
        () => {},
      );
    }
    this.wake('poll');
  }

  /**
   * Runs deliveries soon; a wake during a run makes it run once more. `commit`: a change was
   * committed somewhere; `poll`: the timer; `api`: a subscription was created, resumed or replayed here.
   */
  wake(reason: 'commit' | 'poll' | 'api' = 'api') {
    if (!this.started || this.stopping) return;
    if (reason === 'api') this.subscribed = true;
    if (reason === 'commit' && !this.subscribed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.runOnce()
          .then(async (delivered) => {
            if (reason !== 'poll') return;
            if (delivered === 0) this.subscribed = await anyActiveWebhookSubscription(this.deps.db);
            if (performance.now() - this.prunedAt >= PRUNE_EVERY_MS) {
              this.prunedAt = performance.now();
              await this.pruneLog();
            }
          })
          .catch((e: unknown) => this.deps.onError?.(e));
      } while (this.again && !this.stopping);
    })().finally(() => {
      this.running = undefined;
    });
  }

  /** Stops claiming, aborts sends in flight (their events stay after the cursor) and waits for the run to end. */
  async stop() {
    this.stopping = true;
    clearInterval(this.timer);
    this.aborter.abort();
    await this.unlisten?.();
    await this.running;
  }

  /** Delivers until nothing is due; returns how many deliveries succeeded. */
  async runOnce(): Promise<number> {
    let delivered = 0;
    for (let round = 0; round < MAX_ROUNDS && !this.stopping; round++) {
      const token = randomUUID();
      const claimed = await claimDueWebhookSubscriptions(this.deps.db, {
        token,
        now: this.deps.clock.now(),
        leaseMs: this.deps.settings.leaseMs,
        limit: this.deps.settings.concurrency,
      });
      if (claimed.length === 0) break;
      // Settled, not all: one subscription's failure (say, deleted mid-send) must not leave the others' sends unawaited.
      const outcomes = await Promise.allSettled(claimed.map((s) => this.deliver(s, { plantId: s.plant_id, id: s.id, token })));
      for (const o of outcomes) {
        if (o.status === 'fulfilled') delivered += o.value;
        else this.deps.onError?.(o.reason);
      }
    }
    return delivered;
  }

  /** Forgets delivery attempts older than the retention (every process may: deleting twice is harmless). */
  pruneLog(): Promise<number> {
    return pruneWebhookDeliveries(this.deps.db, new Date(this.deps.clock.now().getTime() - this.deps.settings.deliveryLogMs));
  }

  /** Events each plant's active subscriptions are behind (the backlog gauge). */
  backlog() {
    return webhookBacklogByPlant(this.deps.db);
  }

  private async deliver(sub: WebhookSubscriptionRow, lease: WebhookLease): Promise<number> {
    const { db, settings } = this.deps;
    let cursor = sub.cursor_seq;
    let delivered = 0;
    try {
      const wanted = new Set(sub.event_types);
      let secret: string | undefined;
      for (const event of await listEvents(db, sub.plant_id, cursor, EVENTS_PER_CLAIM)) {
        if (this.stopping) break;
        if (!wanted.has(event.type)) {
          cursor = event.seq;
          continue;
        }
        // Renewed before each send, so the lease outlasts the attempt (leaseMs > timeoutMs).
        if (!(await renewWebhookLease(db, lease, cursor, settings.leaseMs))) return delivered;
        secret ??= this.openSecret(sub);
        const result: SendResult =
          secret === undefined
            ? { ok: false, statusCode: null, error: 'the stored secret cannot be opened with this WEBHOOK_SECRET_KEY', durationMs: 0 }
            : await sendSigned(
                sub.url,
                { id: eventId(sub.plant_id, event.seq), body: webhookBody(sub.plant_id, event), secret },
                { timeoutMs: settings.timeoutMs, allowHosts: settings.allowHosts, signal: this.aborter.signal },
              );
        // Shutting down aborted the send: not the receiver's failure; the event stays after the cursor.
        if (this.stopping && !result.ok) break;
        const now = this.deps.clock.now();
        const failures = sub.failures + (result.ok ? 0 : 1);
        await insertWebhookDelivery(db, {
          plant_id: sub.plant_id,
          subscription_id: sub.id,
          event_seq: event.seq,
          event_type: event.type,
          attempt: sub.failures + 1,
          at: now,
          duration_ms: result.durationMs,
          status_code: result.statusCode,
          error: result.error,
          succeeded: result.ok,
        });
        if (result.ok) {
          cursor = event.seq;
          delivered++;
          if (sub.failures > 0) {
            sub.failures = 0;
            if (!(await settleWebhookSubscription(db, lease, { cursor_seq: cursor, failures: 0, last_error: null, updated_at: now })))
              return delivered;
          }
          continue;
        }
        const pause = failures >= settings.maxFailures;
        const retryAt = new Date(now.getTime() + retryDelayMs(settings, failures, (this.deps.random ?? Math.random)()));
        await settleWebhookSubscription(db, lease, {
          cursor_seq: cursor,
          failures,
          last_error: result.error,
          next_attempt_at: retryAt,
          updated_at: now,
          ...(pause ? { status: 'paused' as const, paused_reason: 'failures' as const } : {}),
        });
        return delivered;
      }
      return delivered;
    } finally {
      await releaseWebhookLease(db, lease, cursor);
    }
  }

  private openSecret(sub: WebhookSubscriptionRow): string | undefined {
    const key = this.deps.settings.secretKey;
    if (!key) return undefined;
    try {
      return open(key, sub.secret_sealed, secretContext(sub.plant_id, sub.id));
    } catch {
      return undefined;
    }
  }
}
