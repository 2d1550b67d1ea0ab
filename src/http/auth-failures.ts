import { normalizeIP } from '@fastify/rate-limit';
import { LRUCache } from 'lru-cache';

/**
 * Counts failed authentications (no key, unknown or revoked key) per client address in fixed
 * windows, so one address cannot make the service look up an endless stream of keys. IPv6
 * addresses count per /64, the block one client usually holds. Memory is bounded: past
 * `maxAddresses` the least recently failing address is forgotten.
 */
export class AuthFailures {
  private readonly byAddress: LRUCache<string, { count: number; resetAt: number }>;

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    maxAddresses = 10_000,
    private readonly now: () => number = Date.now,
  ) {
    this.byAddress = new LRUCache({ max: maxAddresses });
  }

  /** Seconds until `ip` may try again, or 0 when it is under the limit. */
  retryAfterSeconds(ip: string): number {
    const entry = this.byAddress.get(normalizeIP(ip));
    const now = this.now();
    if (!entry || entry.resetAt <= now || entry.count < this.maxFailures) return 0;
    return Math.max(1, Math.ceil((entry.resetAt - now) / 1000));
  }

  record(ip: string) {
    const address = normalizeIP(ip);
    const now = this.now();
    const entry = this.byAddress.get(address);
    if (!entry || entry.resetAt <= now) this.byAddress.set(address, { count: 1, resetAt: now + this.windowMs });
    else entry.count += 1;
  }

  /** Addresses held, for tests of the memory bound. */
  get size() {
    return this.byAddress.size;
  }
}
