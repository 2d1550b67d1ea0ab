import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, isTransactionWaitLimit } from '../../src/db/errors.ts';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable: the database away or out of connections (503), not the request wrong (4xx/500)', () => {
  it('takes connection failures, class 08, shutdowns and too_many_connections', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', '08006', '08001', '57P01', '57P03', '53300']) {
      expect(isDatabaseUnavailable(withCode(code)), code).toBe(true);
    }
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('leaves constraint violations, lock limits and other errors alone', () => {
    for (const code of ['23505', '23503', '40001', '55P03', '57014', '53100', '42P01']) {
      expect(isDatabaseUnavailable(withCode(code)), code).toBe(false);
    }
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
    expect(isTransactionWaitLimit(withCode('55P03'))).toBe(true);
  });
});
