import type { Db } from '../db/database.ts';
import { findPlant } from '../db/repos/plants.ts';
import { ROLES, type Role } from './actor.ts';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.ts';
import { putBufferPolicy } from './buffer-policy.ts';
import { createPlant } from './plants.ts';
import { putProduct } from './products.ts';
import { putResource } from './resources.ts';
import { systemClock, type Clock } from './clock.ts';
import { standaloneScheduleDeps } from './schedule/schedule-writer.ts';

export const DEMO_PLANT = 'demo';

const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
const twoShifts = weekdays.flatMap((day) => [
  { day, start: '06:00', end: '14:00' },
  { day, start: '14:00', end: '22:00' },
]);
const dayShift = weekdays.map((day) => ({ day, start: '07:00', end: '15:30' }));

/** A small valve plant: the CNC cell is the drum, two shifts a day; saw and assembly have spare capacity. */
export async function seedDemoPlant(db: Db, clock: Clock = systemClock): Promise<boolean> {
  const deps = standaloneScheduleDeps(db, clock);
  const exists = await findPlant(db, DEMO_PLANT);
  if (exists) return false;
  await createPlant(db, { id: DEMO_PLANT, name: 'Demo valve works', timeZone: 'Europe/Berlin' });
  const holidays = ['2026-12-24', '2026-12-25', '2026-12-26', '2026-12-31', '2027-01-01'].map((date) => ({
    kind: 'holiday' as const,
    date,
  }));
  await putResource(deps, null, DEMO_PLANT, 'saw', { name: 'Band saw', drum: false, calendar: { weekly: dayShift, exceptions: holidays } });
  await putResource(deps, null, DEMO_PLANT, 'cnc', {
    name: 'CNC machining cell',
    drum: true,
    calendar: { weekly: twoShifts, exceptions: holidays },
  });
  await putResource(deps, null, DEMO_PLANT, 'assembly', {
    name: 'Assembly and test',
    drum: false,
    calendar: { weekly: dayShift, exceptions: holidays },
  });
  const routing = (cncRun: number) => [
    { resource: 'saw', setupMinutes: 10, runMinutesPerUnit: 2 },
    { resource: 'cnc', setupMinutes: 30, runMinutesPerUnit: cncRun },
    { resource: 'assembly', setupMinutes: 15, runMinutesPerUnit: 6 },
  ];
  await putProduct(deps, null, DEMO_PLANT, 'VALVE-50', { name: 'Ball valve DN50', routing: routing(12) });
  await putProduct(deps, null, DEMO_PLANT, 'VALVE-100', { name: 'Ball valve DN100', routing: routing(25) });
  await putProduct(deps, null, DEMO_PLANT, 'MANIFOLD-4', { name: 'Four-way manifold', routing: routing(45), productionBufferDays: 12 });
  await putBufferPolicy(deps, null, DEMO_PLANT, {
    productionBufferDays: 8,
    shippingBufferDays: 4,
    standardLeadTimeDays: 5,
    holdTtlSeconds: 900,
  });
  return true;
}

/** Demo keys are replaced on every demo start: secrets are shown once and only hashes are stored. */
export async function createDemoKeys(db: Db): Promise<Record<Role, string>> {
  const at = new Date();
  for (const k of await listApiKeys(db)) if (k.name.startsWith('demo ') && k.revokedAt === null) await revokeApiKey(db, k.id, at);
  const keys = {} as Record<Role, string>;
  for (const role of ROLES) keys[role] = (await createApiKey(db, { name: `demo ${role}`, role, plantIds: null })).key;
  return keys;
}
