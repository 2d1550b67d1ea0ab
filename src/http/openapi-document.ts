import { openPostgres } from '../db/connect.ts';
import { systemClock } from '../domain/clock.ts';
import { buildApp } from './app.ts';

/**
 * The OpenAPI document as the app generates it. The database handle is never queried:
 * pg connects lazily, so no server is needed to generate the contract.
 */
export async function generateOpenApiJson(): Promise<string> {
  const handle = openPostgres('postgres://openapi@127.0.0.1:1/none', 1);
  const app = await buildApp({ db: handle.db, clock: systemClock, maxOrderQuantity: 1_000_000 });
  await app.ready();
  const text = `${JSON.stringify(app.swagger(), null, 2)}\n`;
  await app.close();
  await handle.close();
  return text;
}
