import { describe, expect, it } from 'vitest';
import type { QuoteLogInsert } from '../../src/db/repos/quote-log.ts';
import { QuoteRecorder, type QuoteRecord } from '../../src/domain/quote-recorder.ts';

const quote = (i: number): QuoteRecord => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  plantId: 'p',
  at: new Date('2026-11-23T08:00:00Z'),
  actor: 'sales:k',
  sku: 'P1',
  quantity: 1,
  requestedDate: null,
  earliestPromiseDate: '2026-11-27',
  requestedFeasible: null,
  drumLoadMinutes: 10,
  scheduleVersion: 1,
  owner: 'sales:k',
  customer: null,
});

/** A database that fails while `down` is set and keeps what it was given otherwise. */
function database() {
  const state = { down: true, rows: [] as QuoteLogInsert[], mayExist: [] as boolean[] };
  const write = async (rows: QuoteLogInsert[], { mayExist }: { mayExist: boolean }) => {
    state.mayExist.push(mayExist);
    if (state.down) throw new Error('connection refused');
    state.rows.push(...rows);
  };
  return { state, write };
}

describe('the quote recorder', () => {
  it('reports a failed write and writes the same records at the next flush', async () => {
    const db = database();
    const errors: { pending: number; dropped: number }[] = [];
    const recorder = new QuoteRecorder(db.write, 5_000, (_err, info) => errors.push(info));
    recorder.record(quote(1));
    recorder.record(quote(2));
    await recorder.flush();
    expect(errors).toEqual([{ pending: 2, dropped: 0 }]);
    expect(recorder.pending).toBe(2);
    recorder.record(quote(3));

    db.state.down = false;
    await recorder.flush();
    expect(db.state.rows.map((r) => r.id.slice(-1))).toEqual(['1', '2', '3']);
    expect(recorder.pending).toBe(0);
    expect(errors).toHaveLength(1);
  });

  it('drops only the oldest records past its bound while the database stays down, and says how many', async () => {
    const db = database();
    const errors: { pending: number; dropped: number }[] = [];
    const recorder = new QuoteRecorder(db.write, 5_000, (_err, info) => errors.push(info), 3);
    for (let i = 1; i <= 5; i++) recorder.record(quote(i));
    await recorder.flush();
    expect(errors).toEqual([{ pending: 3, dropped: 2 }]);
    db.state.down = false;
    await recorder.flush();
    expect(db.state.rows.map((r) => r.id.slice(-1))).toEqual(['3', '4', '5']);
  });

  it('never rejects a flush, so a caller reading the KPIs still gets an answer while the database is down', async () => {
    const recorder = new QuoteRecorder(database().write);
    recorder.record(quote(1));
    await expect(recorder.flush()).resolves.toBeUndefined();
    await expect(recorder.stop()).resolves.toBeUndefined();
  });

  it('writes a batch that may already be stored (its last write failed) so that stored records are skipped, and fresh batches without that check', async () => {
    const db = database();
    const recorder = new QuoteRecorder(db.write);
    db.state.down = false;
    recorder.record(quote(1));
    await recorder.flush();

    db.state.down = true;
    recorder.record(quote(2));
    recorder.record(quote(3));
    await recorder.flush();
    db.state.down = false;
    recorder.record(quote(4));
    await recorder.flush();
    recorder.record(quote(5));
    await recorder.flush();
    // 1 fresh; 2–3 fresh but failed; 2–4 again, now with the check; 5 fresh.
    expect(db.state.mayExist).toEqual([false, false, true, false]);
    expect(db.state.rows.map((r) => r.id.slice(-1))).toEqual(['1', '2', '3', '4', '5']);
  });

  it('writes every record as it was given, each text its own even where records share them', async () => {
    const db = database();
    db.state.down = false;
    const recorder = new QuoteRecorder(db.write);
    const given = [
      { ...quote(1), customer: 'ACME', requestedDate: '2026-12-01', requestedFeasible: true },
      { ...quote(2), customer: 'ACME', requestedDate: null },
      { ...quote(3), sku: 'P2', customer: null, owner: 'sales:j', actor: 'sales:j', plantId: 'q', requestedDate: '2026-12-02' },
      { ...quote(4), at: new Date('2026-11-23T08:00:00.001Z'), earliestPromiseDate: '2026-11-28', scheduleVersion: 2 ** 40 },
    ];
    for (const q of given) recorder.record(q);
    await recorder.flush();
    expect(db.state.rows).toEqual(given);
  });

  it('under a steady stream of quotes writes full batches, not a stream of tiny writes', async () => {
    const batches: number[] = [];
    const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
    // Each write takes one turn of the event loop, in which one more quote arrives.
    const recorder = new QuoteRecorder(async (rows) => {
      batches.push(rows.length);
      await tick();
    }, 10);
    for (let i = 1; i <= 200; i++) {
      recorder.record(quote(i));
      await tick();
    }
    await recorder.flush();
    expect(batches.reduce((a, b) => a + b, 0)).toBe(200);
    // Was one write per quote past the first full buffer: a flush queued per record over the bound,
    // and a flush that kept writing whatever arrived during its own last write.
    expect(batches.slice(0, -1).every((n) => n >= 10)).toBe(true);
    expect(batches.length).toBeLessThanOrEqual(21);
  });

  it('leaves what arrives during its write to the next flush', async () => {
    const batches: number[] = [];
    let next = 11;
    const recorder = new QuoteRecorder(async (rows) => {
      batches.push(rows.length);
      // (a bounded stream, so a flush that chases arrivals ends and fails the test instead of hanging)
      for (let k = 0; k < 3 && next <= 40; k++) recorder.record(quote(next++));
      await Promise.resolve();
    }, 10);
    for (let i = 1; i <= 10; i++) recorder.record(quote(i));
    await recorder.flush();
    expect(batches).toEqual([10, 3]);
    expect(recorder.pending).toBe(3);
  });

  it('while the database is down, retries on the timer and at flush calls, not at every quote past the bound', async () => {
    const db = database();
    const errors: { pending: number; dropped: number }[] = [];
    const recorder = new QuoteRecorder(db.write, 10, (_err, info) => errors.push(info));
    for (let i = 1; i <= 200; i++) {
      recorder.record(quote(i));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    // Was 191 failed writes, each putting the whole buffer back.
    expect(db.state.mayExist).toHaveLength(1);
    expect(recorder.pending).toBe(200);
    db.state.down = false;
    await recorder.flush();
    expect(db.state.rows.map((r) => Number(r.id.slice(-3)))).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    // Back up: a full buffer flushes at once again.
    for (let i = 201; i <= 210; i++) recorder.record(quote(i));
    await recorder.flush();
    expect(recorder.pending).toBe(0);
    expect(db.state.mayExist.length).toBe(3);
  });
});
