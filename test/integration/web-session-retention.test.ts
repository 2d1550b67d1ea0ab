import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRetention } from '../../src/domain/retention/retention.ts';
import { buildApp } from '../../src/http/app.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { databaseKinds } from '../helpers/planning.ts';

// Web board sessions that ran out no longer authenticate; the periodic retention (which runs in
// every process, with or without a quote retention) forgets them, not only the next sign-in.
// Time is the injected clock: sessions last 8 hours from sign-in.
describe.each(databaseKinds())('expired web sessions are pruned by the retention on %s', (kind) => {
  let t: TestApp;
  const signIn = async (at: string) => {
    t.clock.set(at);
    const res = await t.app.inject({ method: 'POST', url: '/app/session', payload: { apiKey: t.keys.floor } });
    expect(res.statusCode, res.body).toBe(200);
    return /drumbeat_session=([^;]*)/.exec(String(res.headers['set-cookie']))![0];
  };
  const stored = async () =>
    (await t.db.db.selectFrom('web_sessions').select('expires_at').orderBy('expires_at').execute()).map((r) => r.expires_at.toISOString());
  const alive = async (cookie: string) => (await t.app.inject({ method: 'GET', url: '/app/session', headers: { cookie } })).statusCode;

  beforeAll(async () => {
    t = await buildTestApp({ kind, now: '2026-11-23T08:00:00Z' });
  });
  afterAll(async () => t.close());

  it('one retention run deletes the sessions that ran out and keeps the live ones, with no sign-in in between', async () => {
    await t.db.db.deleteFrom('web_sessions').execute();
    const early = await signIn('2026-11-23T08:00:00Z');
    const late = await signIn('2026-11-23T15:00:00Z');
    t.clock.set('2026-11-23T16:00:00Z'); // the early session ends now
    expect(await stored()).toEqual(['2026-11-23T16:00:00.000Z', '2026-11-23T23:00:00.000Z']);

    await applyRetention(t.db.db, t.clock.now(), {});
    expect(await stored()).toEqual(['2026-11-23T23:00:00.000Z']);
    expect(await alive(early)).toBe(401);
    expect(await alive(late)).toBe(200);

    t.clock.set('2026-11-24T00:00:00Z');
    await applyRetention(t.db.db, t.clock.now(), {});
    expect(await stored()).toEqual([]);
  });

  it('the retention a process starts prunes them, without a quote retention configured', async () => {
    await t.db.db.deleteFrom('web_sessions').execute();
    await signIn('2026-11-23T08:00:00Z');
    await signIn('2026-11-23T15:00:00Z');
    t.clock.set('2026-11-23T17:00:00Z');
    // A second process on the same database: its retention runs once when it is ready, and
    // closing it waits for that run.
    const other = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 1000 }, {});
    await other.ready();
    await other.close();
    expect(await stored()).toEqual(['2026-11-23T23:00:00.000Z']);
  });
});
