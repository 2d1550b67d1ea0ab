import { describe, expect, it } from 'vitest';
import { EVENT_SCHEMAS, eventData, type ScheduleEvent } from '../../src/domain/schedule/event-types.ts';

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
});
