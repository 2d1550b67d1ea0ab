import { describe, expect, it } from 'vitest';
import { EVENT_SCHEMAS, eventData, type ScheduleEvent } from '../../src/domain/schedule/event-types.ts';
import { generateOpenApiJson } from '../../src/http/openapi-document.ts';
import { Event } from '../../src/schemas/promising.ts';

describe('the event registry', () => {
  it('checks an event against its type: a missing, extra or mistyped field is refused', () => {
    const released = { promiseDate: '2026-12-01', drumLoadMinutes: 120 };
    expect(eventData({ type: 'hold.released', orderId: 'o1', data: released })).toEqual(released);
    expect(() => eventData({ type: 'hold.released', data: { promiseDate: '2026-12-01' } } as unknown as ScheduleEvent)).toThrow();
    expect(() => eventData({ type: 'hold.released', data: { ...released, extra: 1 } } as unknown as ScheduleEvent)).toThrow();
    expect(() => eventData({ type: 'hold.released', data: { ...released, drumLoadMinutes: '120' } } as unknown as ScheduleEvent)).toThrow();
  });

  it('names every event type the service writes', () => {
    expect(Object.keys(EVENT_SCHEMAS)).toEqual(
      expect.arrayContaining(['hold.created', 'hold.expired', 'order.created', 'order.repromised', 'capacity.changed', 'buffer.changed']),
    );
  });

  it("is the contract's event types: one oneOf branch per registry type, with that type's data schema", async () => {
    const doc = JSON.parse(await generateOpenApiJson());
    // Named schemas: the feed's items are `Event`, one named schema per event type.
    const deref = (s: { $ref?: string }) => (s.$ref ? doc.components.schemas[s.$ref.replace('#/components/schemas/', '')] : s);
    const item = deref(
      doc.paths['/v1/plants/{plant}/events'].get.responses['200'].content['application/json'].schema.properties.items.items,
    );
    const branches: { properties: { type: { const: string }; data: { required?: string[] } } }[] = item.oneOf.map(deref);
    expect(branches.map((b) => b.properties.type.const)).toEqual(Object.keys(EVENT_SCHEMAS));
    const released = branches.find((b) => b.properties.type.const === 'hold.released')!;
    expect(released.properties.data.required).toEqual(['promiseDate', 'drumLoadMinutes']);
  });

  it('validates feed events by their type at runtime (the response serializer parses with this schema)', () => {
    const base = { seq: 1, scheduleVersion: 1, actor: 'k', at: '2026-12-01T00:00:00.000Z', orderId: 'o1' };
    expect(Event.safeParse({ ...base, type: 'hold.released', data: { promiseDate: '2026-12-01', drumLoadMinutes: 120 } }).success).toBe(
      true,
    );
    expect(Event.safeParse({ ...base, type: 'hold.released', data: { promiseDate: '2026-12-01' } }).success).toBe(false);
    expect(Event.safeParse({ ...base, type: 'no.such.type', data: {} }).success).toBe(false);
  });
});
