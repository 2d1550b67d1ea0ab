import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { drained, sendChunk } from '../../src/http/sse-backpressure.ts';

/** A socket whose client reads only when the test says so. */
function stalledClient() {
  let pending: (() => void) | null = null;
  let reading = false;
  const out = new Writable({
    highWaterMark: 64,
    write(_chunk, _enc, callback) {
      if (reading) callback();
      else pending = callback;
    },
  });
  const read = () => {
    reading = true;
    pending?.();
  };
  return { out, read };
}

describe('event stream backpressure', () => {
  it('reports a full socket buffer and waits for the client to read before more is sent', async () => {
    const { out, read } = stalledClient();
    expect(sendChunk(out, 'x'.repeat(10))).toBe(true);
    expect(await drained(out, 1_000)).toBe(true); // nothing to wait for
    expect(sendChunk(out, 'x'.repeat(100))).toBe(false);
    const waiting = drained(out, 5_000);
    read();
    expect(await waiting).toBe(true);
  });

  it('gives up on a client that does not read within the timeout, so the stream can end', async () => {
    const { out } = stalledClient();
    sendChunk(out, 'x'.repeat(100));
    expect(await drained(out, 20)).toBe(false);
    expect(out.listenerCount('drain')).toBe(0);
  });

  it('stops waiting when the socket closes, and writes nothing to a closed one', async () => {
    const { out } = stalledClient();
    sendChunk(out, 'x'.repeat(100));
    const waiting = drained(out, 5_000);
    out.destroy();
    expect(await waiting).toBe(false);
    expect(sendChunk(out, 'more')).toBe(true);
    expect(out.writableLength).toBe(100);
  });
});
