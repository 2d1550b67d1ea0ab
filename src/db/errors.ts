/**
 * Connection-level failures: the database is away or cannot take the connection now, not the
 * request wrong (SQLSTATE class 08, 57P0x, and 53300 too_many_connections: a retry after a
 * while succeeds, so a 503 with Retry-After, not a 500).
 */
const UNAVAILABLE = new Set([
  '53300',
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
]);

// node-postgres reports a dropped socket and a pool connect timeout without a code.
const UNAVAILABLE_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
];

export function isDatabaseUnavailable(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { code, message } = e as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (UNAVAILABLE.has(code) || code.startsWith('08'))) return true;
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.some((re) => re.test(message));
}

/** One line naming the cause, for logs and start-up messages. */
export function describeDbError(e: unknown): string {
  const err = e as { code?: string; message?: string; errors?: Array<{ message?: string }> };
  const message = err.message || err.errors?.[0]?.message || String(e);
  return err.code && !message.includes(err.code) ? `${err.code}: ${message}` : message;
}

/** A limit set by limitTransactionWaits was reached: lock_not_available (55P03) or query_canceled (57014). */
export function isTransactionWaitLimit(e: unknown): boolean {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return code === '55P03' || code === '57014';
}
