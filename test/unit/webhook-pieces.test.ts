import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { embeddedSecretKey, open, parseSecretKey, seal } from '../../src/domain/webhooks/secret-box.ts';
import { retryDelayMs } from '../../src/domain/webhooks/settings.ts';
import { checkTarget, guardedLookup, isBlockedAddress, TargetRefused } from '../../src/domain/webhooks/target-guard.ts';

describe('webhook configuration', () => {
  it('reads the secret key as base64 or hex, the allow list, and the delivery settings', () => {
    const key = randomBytes(32);
    const c = loadConfig({
      WEBHOOK_SECRET_KEY: key.toString('base64'),
      WEBHOOK_ALLOW_HOSTS: '127.0.0.1, receiver.local',
      WEBHOOK_MAX_FAILURES: '3',
    });
    expect(c.WEBHOOK_SECRET_KEY).toEqual(key);
    expect(c.WEBHOOK_ALLOW_HOSTS).toEqual(['127.0.0.1', 'receiver.local']);
    expect(c).toMatchObject({
      WEBHOOK_MAX_FAILURES: 3,
      WEBHOOK_TIMEOUT_SECONDS: 10,
      WEBHOOK_LEASE_SECONDS: 60,
      WEBHOOK_POLL_SECONDS: 5,
      WEBHOOK_DELIVERY_LOG_DAYS: 30,
    });
    expect(loadConfig({ WEBHOOK_SECRET_KEY: key.toString('hex') }).WEBHOOK_SECRET_KEY).toEqual(key);
    expect(loadConfig({}).WEBHOOK_SECRET_KEY).toBeUndefined();
  });

  it.each([
    [{ WEBHOOK_SECRET_KEY: 'short' }, 'WEBHOOK_SECRET_KEY'],
    [{ WEBHOOK_SECRET_KEY: randomBytes(16).toString('base64') }, 'WEBHOOK_SECRET_KEY'],
    [{ WEBHOOK_MAX_FAILURES: '0' }, 'WEBHOOK_MAX_FAILURES'],
    [{ WEBHOOK_TIMEOUT_SECONDS: '30', WEBHOOK_LEASE_SECONDS: '60' }, 'WEBHOOK_LEASE_SECONDS'],
    [{ WEBHOOK_RETRY_BASE_SECONDS: '100', WEBHOOK_RETRY_MAX_SECONDS: '10' }, 'WEBHOOK_RETRY_MAX_SECONDS'],
  ])('stops on %o naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });
});

describe('webhook secrets at rest', () => {
  it('opens only with the same key and the same subscription', () => {
    const key = randomBytes(32);
    const sealed = seal(key, 'whsec_abc', 'webhook/p/1');
    expect(sealed).not.toContain('abc');
    expect(open(key, sealed, 'webhook/p/1')).toBe('whsec_abc');
    expect(() => open(key, sealed, 'webhook/p/2')).toThrow();
    expect(() => open(randomBytes(32), sealed, 'webhook/p/1')).toThrow();
    expect(parseSecretKey('not a key')).toBeUndefined();
  });

  it('keeps one generated key file in the data directory when no key is configured', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'drumbeat-key-'));
    try {
      const first = embeddedSecretKey(join(dir, 'data'));
      expect(embeddedSecretKey(join(dir, 'data'))).toEqual(first);
      expect((await stat(join(dir, 'data', 'webhook-secret.key'))).mode & 0o777).toBe(0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('webhook retries', () => {
  it('doubles the delay per failure, with half of it jitter, up to the maximum', () => {
    const s = { retryBaseMs: 1000, retryMaxMs: 10_000 };
    expect([1, 2, 3, 4, 5].map((f) => retryDelayMs(s, f, 0))).toEqual([500, 1000, 2000, 4000, 5000]);
    expect([1, 2, 3, 4, 5].map((f) => retryDelayMs(s, f, 0.999999))).toEqual([1000, 2000, 4000, 8000, 10_000]);
    expect(retryDelayMs(s, 500, 0.5)).toBe(7500);
  });
});

describe('webhook targets (SSRF)', () => {
  it.each([
    '127.0.0.1',
    '10.0.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fd12::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '224.0.0.1',
    '::7f00:1',
    '64:ff9b::7f00:1',
    '2002:7f00:1::1',
    'fec0::1',
  ])('refuses %s', (a) => expect(isBlockedAddress(a)).toBe(true));
  it.each(['8.8.8.8', '172.32.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8'])('allows %s', (a) => expect(isBlockedAddress(a)).toBe(false));

  it('refuses non-http schemes and private literals unless allow-listed', async () => {
    await expect(checkTarget(new URL('file:///etc/passwd'), [])).rejects.toThrow(TargetRefused);
    await expect(checkTarget(new URL('http://127.0.0.1:8080/h'), [])).rejects.toThrow(TargetRefused);
    await expect(checkTarget(new URL('http://[::1]/h'), [])).rejects.toThrow(TargetRefused);
    await expect(checkTarget(new URL('http://127.0.0.1:8080/h'), ['127.0.0.1'])).resolves.toBeUndefined();
    await expect(checkTarget(new URL('http://[::1]/h'), ['::1'])).resolves.toBeUndefined();
    // A name is judged by what it resolves to.
    await expect(checkTarget(new URL('http://localhost/h'), [])).rejects.toThrow(TargetRefused);
  });

  it('refuses at connect time a name that resolves to a refused address (DNS rebinding), unless allow-listed', async () => {
    const lookupWith = (allow: string[]) =>
      new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((resolve) =>
        guardedLookup(allow)('localhost', { family: 4 }, (err, address) => resolve({ err, address })),
      );
    expect((await lookupWith([])).err?.code).toBe('EREFUSEDADDRESS');
    expect(await lookupWith(['127.0.0.1'])).toEqual({ err: null, address: '127.0.0.1' });
    expect(await lookupWith(['localhost'])).toEqual({ err: null, address: '127.0.0.1' });
  });
});
