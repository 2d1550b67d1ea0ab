import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { isCalendarDate } from '../../src/schemas/common.ts';

describe('configuration from the environment', () => {
  it('defaults to the embedded database in ./data on port 3000', () => {
    expect(loadConfig({})).toMatchObject({ DATA_DIR: './data', PORT: 3000, HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    expect(loadConfig({}).DATABASE_URL).toBeUndefined();
    expect(loadConfig({}).PLANNING_HORIZON_DAYS).toBe(1826);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
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
