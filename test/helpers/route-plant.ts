import type { Role } from '../../src/domain/actor.ts';
import type { Calendar, Weekday } from '../../src/engine/calendar-types.ts';
import type { TestApp } from './app.ts';
import { client } from './planning.ts';

// The whole-route HTTP tests' plant: Monday 2026-11-23 09:00 in Europe/Berlin, and the
// calendars its resources work (test/http/whole-route*.test.ts).
export const NOW = '2026-11-23T08:00:00Z';
export const ZONE = 'Europe/Berlin';
export const days = (list: Weekday[], start: string, end: string) => list.map((day) => ({ day, start, end }));
export const MON_FRI: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const noExceptions: Calendar['exceptions'] = [];
export const oneShift = { weekly: days(MON_FRI, '06:00', '14:00'), exceptions: noExceptions };
export const twoShifts = { weekly: [...days(MON_FRI, '06:00', '14:00'), ...days(MON_FRI, '14:00', '22:00')], exceptions: noExceptions };
export const monThu = { weekly: days(['mon', 'tue', 'wed', 'thu'], '06:00', '14:00'), exceptions: noExceptions };

export type Verb = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

/**
 * The whole-route HTTP tests' plant, one new plant per `create()`: heat treatment (Mon–Thu, one
 * shift) → drum (two shifts) → test (one shift); product H works 96, 6 and 3 minutes per unit
 * on them, product D 60 minutes per unit on the drum only; PB 2, SB 1, LT 2 unless given.
 * `call`/`ok` take paths relative to the latest plant; `calendars` are the ones its resources
 * were given (a test adds the exceptions it makes, for the plan checker).
 */
export function routePlantSession(t: () => TestApp, prefix: string) {
  let plants = 0;
  const call = (method: Verb, url: string, role: Role, payload?: unknown) =>
    t().app.inject({
      method,
      url: url.startsWith('/') ? url : `${s.P}/${url}`,
      headers: t().as(role),
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const ok = async (method: Verb, url: string, role: Role, payload?: unknown) => {
    const res = await call(method, url, role, payload);
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const s = {
    P: '',
    c: undefined as unknown as ReturnType<typeof client>,
    calendars: {} as Record<string, Omit<Calendar, 'timeZone'>>,
    call,
    ok,
    async create(policy: Record<string, number> = { productionBufferDays: 2, shippingBufferDays: 1, standardLeadTimeDays: 2 }) {
      const id = `${prefix}-${++plants}`;
      s.c = client(t, id);
      s.P = s.c.P;
      s.calendars = { heat: { ...monThu, exceptions: [] }, drum: twoShifts, test: oneShift };
      await ok('POST', '/v1/plants', 'admin', { id, name: id, timeZone: ZONE });
      for (const [r, calendar] of Object.entries(s.calendars))
        await ok('PUT', `${s.P}/resources/${r}`, 'admin', { name: r, drum: r === 'drum', calendar });
      await ok('PUT', `${s.P}/products/H`, 'admin', {
        name: 'H',
        routing: [
          { resource: 'heat', setupMinutes: 0, runMinutesPerUnit: 96 },
          { resource: 'drum', setupMinutes: 0, runMinutesPerUnit: 6 },
          { resource: 'test', setupMinutes: 0, runMinutesPerUnit: 3 },
        ],
      });
      await ok('PUT', `${s.P}/products/D`, 'admin', { name: 'D', routing: [{ resource: 'drum', setupMinutes: 0, runMinutesPerUnit: 60 }] });
      await ok('PUT', `${s.P}/buffer-policy`, 'admin', policy);
    },
  };
  return s;
}
