/** How webhooks are delivered; from the configuration (WEBHOOK_* variables, see the README). */
export interface WebhookSettings {
  /** AES-256 key sealing subscription secrets; null: subscriptions cannot be created (503). */
  secretKey: Buffer | null;
  /** Hosts or addresses exempt from the private-range refusal (e.g. 127.0.0.1 in tests). */
  allowHosts: readonly string[];
  /** Consecutive failed attempts after which a subscription pauses. */
  maxFailures: number;
  /** First retry delay; each further failure doubles it (with jitter), up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** One HTTP attempt's limit (connect to last byte). */
  timeoutMs: number;
  /** How long a claim is a process's own without renewal; longer than timeoutMs. */
  leaseMs: number;
  /** Poll interval of the background deliverer; 0: no background delivery (tests call runOnce). */
  pollMs: number;
  /** Subscriptions one process delivers at once. */
  concurrency: number;
  /** How long delivery attempts stay in the log (GET …/deliveries); older ones are pruned by the poll, hourly. */
  deliveryLogMs: number;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  secretKey: null,
  allowHosts: [],
  maxFailures: 8,
  retryBaseMs: 10_000,
  retryMaxMs: 3_600_000,
  timeoutMs: 10_000,
  leaseMs: 60_000,
  pollMs: 0,
  concurrency: 4,
  deliveryLogMs: 30 * 86_400_000,
};

/**
 * Delay before the next attempt after `failures` consecutive failures: exponential, with
 * "equal jitter" (half fixed, half random), so receivers recovering from an outage are not hit
 * by every subscription at the same instant, and a delay never collapses to nothing.
 */
export function retryDelayMs(s: Pick<WebhookSettings, 'retryBaseMs' | 'retryMaxMs'>, failures: number, random: number): number {
  const ceiling = Math.min(s.retryMaxMs, s.retryBaseMs * 2 ** Math.min(failures - 1, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}
