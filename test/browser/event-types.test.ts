import { describe, expect, it } from 'vitest';
import { EVENT_SCHEMAS } from '../../src/domain/schedule/event-types.ts';
import { EVENT_TYPES } from '../../web/src/event-types.ts';

describe('the web board listens to the event stream', () => {
  it('for every event type the server writes (a new type must be added to web/src/event-types.ts)', () => {
    // bench.seeded is written only by the benchmark's seeding, never seen by a board.
    const server = Object.keys(EVENT_SCHEMAS).filter((t) => t !== 'bench.seeded');
    expect([...EVENT_TYPES].sort()).toEqual(server.sort());
  });
});
