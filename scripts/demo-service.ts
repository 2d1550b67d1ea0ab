import { randomBytes } from 'node:crypto';
import type { Role } from '../src/domain/actor.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { fixedClock } from '../src/domain/clock.ts';
import { openPglite } from '../src/db/connect.ts';
import type { Db } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { buildApp, newScheduleWriter, type App } from '../src/http/app.ts';

// The real app on an embedded in-memory database under a settable clock, listening on a free
// port: what the screenshot script and the web bench point chromium at.

export interface DemoService {
  app: App;
  db: Db;
  url: string;
  clock: ReturnType<typeof fixedClock>;
  keys: Record<Role, string>;
  /** A request as a role; throws on a non-2xx answer. The caller names the answer's shape. */
  call<T = unknown>(role: Role, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown): Promise<T>;
  close(): Promise<void>;
}

export async function startDemoService(now: string, roles: readonly Role[]): Promise<DemoService> {
  const handle = await openPglite(undefined);
  await migrateToLatest(handle.db);
  const clock = fixedClock(now);
  const listen = handle.listen.bind(handle);
  const writer = newScheduleWriter({ db: handle.db, clock, listen });
  const app = await buildApp(
    { db: handle.db, clock, maxOrderQuantity: 100_000, listen, writer },
    { webhooks: { secretKey: randomBytes(32) } },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  const keys = {} as Record<Role, string>;
  for (const role of roles) keys[role] = (await createApiKey(handle.db, { name: `web ${role}`, role, plantIds: null })).key;
  return {
    app,
    db: handle.db,
    url: `http://127.0.0.1:${address.port}`,
    clock,
    keys,
    call: async <T>(role: Role, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown): Promise<T> => {
      const res = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${keys[role]}` },
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
      if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
      return (res.statusCode === 204 ? undefined : res.json()) as T;
    },
    close: async () => {
      await app.close();
      await handle.close();
    },
  };
}
