import type { Writable } from 'node:stream';

/**
 * Backpressure for a long-lived event stream: the events a client has not read yet stay in the
 * database (it resumes by `Last-Event-ID`), not in this process's memory. A stream whose socket
 * buffer is full pulls no more events until the client reads; one that does not read for
 * `timeoutMs` is ended (it reconnects and catches up from where it stopped).
 */

/** Writes one chunk unless the socket is gone; false when the client is not reading fast enough (wait for drain). */
export function sendChunk(out: Writable, chunk: string): boolean {
  if (out.destroyed || out.writableEnded) return true;
  return out.write(chunk);
}

/** Resolves true once `out` has drained (at once when it need not), false when `timeoutMs` passes first or it closes. */
export function drained(out: Writable, timeoutMs: number): Promise<boolean> {
  if (!out.writableNeedDrain) return Promise.resolve(!out.destroyed);
  return new Promise<boolean>((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      out.off('drain', onDrain);
      out.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    const timer = setTimeout(() => done(false), timeoutMs);
    out.on('drain', onDrain);
    out.on('close', onClose);
  });
}
