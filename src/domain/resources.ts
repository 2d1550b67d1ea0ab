import type { DbOrTx } from '../db/database.ts';
import { activeCapacityChanges } from '../db/repos/capacity-changes.ts';
import { findOtherDrum, findResource, insertResource, listResourceRows, updateResource } from '../db/repos/resources.ts';
import type { Calendar, CalendarException, WeeklyShift } from '../engine/calendar-types.ts';
import { validateCalendar } from '../engine/calendar.ts';
import { effectiveCalendar } from '../planning-rules/effective-calendar.ts';
import type { Actor } from './actor.ts';
import { recordAudit } from './audit.ts';
import { conflict, invalid, notFound, preconditionFailed } from './errors.ts';
import { changeResourceCalendar } from './planning/capacity-changes.ts';
import { type ScheduleDeps } from './schedule/schedule-writer.ts';
import { getPlant } from './plants.ts';

export interface ResourceInput {
  name: string;
  drum: boolean;
  calendar: { weekly: WeeklyShift[]; exceptions: CalendarException[] };
}

export interface ResourceView {
  id: string;
  name: string;
  drum: boolean;
  calendar: { weekly: WeeklyShift[]; exceptions: CalendarException[] };
  revision: number;
  updatedAt: string;
}

const UNIQUE_VIOLATION = '23505';

/** Checks a calendar in the plant's zone; field paths point into the request body. */
function assertValidCalendar(calendar: Calendar) {
  const problems = validateCalendar(calendar);
  if (problems.length) {
    throw invalid(
      problems.map((p) => ({
        field: `body.calendar${p.path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('')}`,
        message: p.message,
      })),
      'The calendar is invalid.',
    );
  }
}

export async function putResource(
  deps: ScheduleDeps,
  actor: Actor | null,
  plantId: string,
  resourceId: string,
  input: ResourceInput,
  ifMatch?: number,
): Promise<{ created: boolean; resource: ResourceView }> {
  const { result } = await deps.writer.write(plantId, actor, async (ctx) => {
    const { tx } = ctx;
    const plant = await getPlant(tx, plantId);
    assertValidCalendar({ timeZone: plant.timeZone, ...input.calendar });
    const existing = await findResource(tx, plantId, resourceId);
    if (ifMatch !== undefined && existing?.revision !== ifMatch) {
      throw preconditionFailed(`Resource "${resourceId}" changed since revision ${ifMatch}; reload it and retry.`, {
        currentRevision: existing?.revision ?? null,
      });
    }
    if (input.drum) {
      const otherDrum = await findOtherDrum(tx, plantId, resourceId);
      if (otherDrum)
        throw conflict(`Plant "${plantId}" already has a drum: "${otherDrum.id}". A plant has exactly one drum.`, { drum: otherDrum.id });
    }
    const flagChanged = input.drum !== (existing?.is_drum ?? false);
    const calendarChanged = existing !== undefined && canonical(existing.calendar) !== canonical(input.calendar);
    // Another drum was refused above, so a resource becoming the drum finds no orders on one.
    if (flagChanged && existing?.is_drum && (ctx.state.book?.size ?? 0) > 0)
      throw conflict('The drum has committed orders; it cannot stop being the drum.');

    const values = { name: input.name, is_drum: input.drum, calendar: JSON.stringify(input.calendar), updated_at: ctx.now };
    const store = async () => {
      try {
        if (existing) {
          await updateResource(tx, plantId, resourceId, { ...values, revision: existing.revision + 1 });
        } else {
          await insertResource(tx, { plant_id: plantId, id: resourceId, ...values });
        }
      } catch (e) {
        // Two concurrent requests naming different drums: the partial unique index decides.
        if ((e as { code?: string }).code === UNIQUE_VIOLATION) throw conflict(`Plant "${plantId}" already has a drum.`);
        throw e;
      }
    };
    let replanned: string[] | null = null;
    if (existing && calendarChanged && !flagChanged && ctx.state.route) {
      // A new calendar on any resource is a capacity change: the same guard, previewed and refused alike.
      // The resource works its calendar plus the planners' active capacity changes (overtime, downtime).
      const changes = await activeCapacityChanges(tx, plantId, resourceId);
      replanned = await changeResourceCalendar(
        ctx,
        { id: resourceId, is_drum: existing.is_drum },
        effectiveCalendar(plant.timeZone, existing.calendar, changes),
        effectiveCalendar(plant.timeZone, input.calendar, changes),
        store,
      );
    } else {
      await store();
      await ctx.changeCapacityRules();
    }
    await recordAudit(
      tx,
      actor,
      'resource.changed',
      { plantId, id: resourceId },
      { before: existing ? { name: existing.name, drum: existing.is_drum, calendar: existing.calendar } : null, after: input },
      ctx.now,
    );
    if (flagChanged || (input.drum && calendarChanged)) {
      ctx.emit({
        type: 'drum.calendar.changed',
        data: { resource: resourceId, drum: input.drum, before: existing?.calendar ?? null, after: input.calendar },
      });
    } else if (replanned) {
      ctx.emit({
        type: 'resource.calendar.changed',
        data: { resource: resourceId, before: existing?.calendar ?? null, after: input.calendar, replanned },
      });
    }
    return { created: !existing, resource: await getResource(tx, plantId, resourceId) };
  });
  return result;
}

type Row = { id: string; name: string; is_drum: boolean; calendar: Calendar; revision: number; updated_at: Date };

const toView = (r: Row): ResourceView => ({
  id: r.id,
  name: r.name,
  drum: r.is_drum,
  calendar: { weekly: r.calendar.weekly, exceptions: r.calendar.exceptions ?? [] },
  revision: r.revision,
  updatedAt: r.updated_at.toISOString(),
});

export async function getResource(db: DbOrTx, plantId: string, resourceId: string): Promise<ResourceView> {
  const r = await findResource(db, plantId, resourceId);
  if (!r) throw notFound(`Resource "${resourceId}" in plant "${plantId}"`);
  return toView(r);
}

export async function listResources(db: DbOrTx, plantId: string): Promise<ResourceView[]> {
  await getPlant(db, plantId);
  const rows = await listResourceRows(db, plantId);
  return rows.map(toView);
}

/** A calendar as comparable text: the database returns JSON keys in its own order, and absent exceptions mean none. */
function canonical(c: Pick<Calendar, 'weekly'> & { exceptions?: Calendar['exceptions'] | undefined }): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sorted)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
              .map(([k, x]) => [k, sorted(x)]),
          )
        : v;
  return JSON.stringify(sorted({ weekly: c.weekly, exceptions: c.exceptions ?? [] }));
}
