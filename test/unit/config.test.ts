import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { isCalendarDate } from '../../src/schemas/common.ts';

describe('configuration from the environment', () => {
  it('defaults to the embedded database in ./data on port 3000', () => {
    expect(loadConfig({})).toMatchObject({ DATA_DIR: './data', PORT: 3000, HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    expect(loadConfig({}).DATABASE_URL).toBeUndefined();
    expect(loadConfig({}).PLANNING_HORIZON_DAYS).toBe(1826);
  });

  it('serves metrics only when METRICS_PORT is set, on this machine unless METRICS_HOST says otherwise', () => {
    expect(loadConfig({}).METRICS_PORT).toBeUndefined();
    expect(loadConfig({ METRICS_PORT: '9464' })).toMatchObject({ METRICS_PORT: 9464, METRICS_HOST: '127.0.0.1' });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ METRICS_PORT: 'nine' }, 'METRICS_PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ PLANNING_HORIZON_DAYS: '29' }, 'PLANNING_HORIZON_DAYS'],
    [{ PLANNING_HORIZON_DAYS: '3661' }, 'PLANNING_HORIZON_DAYS'],
    [{ PLANNING_HORIZON_DAYS: '365.5' }, 'PLANNING_HORIZON_DAYS'],
  ])('stops on %o with a one-line message naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (e) {
      expect((e as Error).message).toContain(name);
      expect((e as Error).message).not.toContain('\n');
    }
  });
});

describe('calendar dates', () => {
  it.each([
    ['2026-02-28', true],
    ['2026-02-29', false],
    ['2028-02-29', true],
    ['2100-02-29', false],
    ['2000-02-29', true],
    ['2026-04-31', false],
    ['2026-12-31', true],
    ['2026-13-01', false],
    ['2026-00-10', false],
    ['2026-01-00', false],
  ])('%s is a real date: %s', (d, ok) => expect(isCalendarDate(d)).toBe(ok));
});

describe('numeric settings are bounded', () => {
  it.each([
    [{ HOLD_SWEEP_SECONDS: '3000000' }, 'HOLD_SWEEP_SECONDS'],
    [{ HOLD_SWEEP_SECONDS: '0' }, 'HOLD_SWEEP_SECONDS'],
    [{ MAX_ORDER_QUANTITY: '1e12' }, 'MAX_ORDER_QUANTITY'],
    [{ DATABASE_START_TIMEOUT_SECONDS: '-1' }, 'DATABASE_START_TIMEOUT_SECONDS'],
    [{ DATABASE_START_TIMEOUT_SECONDS: '999999' }, 'DATABASE_START_TIMEOUT_SECONDS'],
    [{ RATE_LIMIT_WINDOW_SECONDS: '0' }, 'RATE_LIMIT_WINDOW_SECONDS'],
    [{ RATE_LIMIT_WINDOW_SECONDS: '86400' }, 'RATE_LIMIT_WINDOW_SECONDS'],
    [{ RATE_LIMIT_PER_KEY: '0' }, 'RATE_LIMIT_PER_KEY'],
    [{ RATE_LIMIT_PER_KEY: '1e9' }, 'RATE_LIMIT_PER_KEY'],
    [{ AUTH_FAILURES_PER_ADDRESS: '1.5' }, 'AUTH_FAILURES_PER_ADDRESS'],
  ])('refuses %o', (env, name) => {
    expect(() => loadConfig(env)).toThrow(name);
  });

  it('has rate limit defaults above what one process serves (about 20,000 requests/s on one key)', () => {
    const c = loadConfig({});
    expect(c.RATE_LIMIT_PER_KEY / c.RATE_LIMIT_WINDOW_SECONDS).toBeGreaterThanOrEqual(50_000);
    expect(c.AUTH_FAILURES_PER_ADDRESS).toBe(10_000);
  });

  it('accepts the largest sweep interval a timer can hold', () => {
    expect(loadConfig({ HOLD_SWEEP_SECONDS: '86400' }).HOLD_SWEEP_SECONDS).toBe(86_400);
  });
});

describe('CORS origins', () => {
  it('are off by default and parsed from a comma-separated list', () => {
    expect(loadConfig({}).CORS_ORIGINS).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example' }).CORS_ORIGINS).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
  });

  it('refuses something that is not an origin, including a path or a trailing slash a browser never sends', () => {
    expect(() => loadConfig({ CORS_ORIGINS: 'not a url' })).toThrow('CORS_ORIGINS');
    expect(() => loadConfig({ CORS_ORIGINS: 'https://erp.example.com/' })).toThrow('CORS_ORIGINS');
    expect(() => loadConfig({ CORS_ORIGINS: 'https://erp.example.com/app' })).toThrow('CORS_ORIGINS');
    expect(loadConfig({ CORS_ORIGINS: 'https://erp.example.com:8443' }).CORS_ORIGINS).toEqual(['https://erp.example.com:8443']);
  });

  it('trusts no proxy by default and at most ten hops', () => {
    expect(loadConfig({}).TRUST_PROXY_HOPS).toBe(0);
    expect(() => loadConfig({ TRUST_PROXY_HOPS: '11' })).toThrow('TRUST_PROXY_HOPS');
  });
});
