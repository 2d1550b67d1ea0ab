import net from 'node:net';
import { percentile, type LoadResult, type LoadSpec } from './load.ts';

/**
 * A closed-loop load generator that, unlike autocannon, never abandons a request: at the
 * deadline each connection stops sending and waits for its answer, so every committed write
 * has a counted response (needed to compare 201s with rows exactly).
 *
 * It speaks just enough HTTP/1.1 over plain keep-alive sockets (one request in flight per
 * connection, no pipelining): the request is one pre-built buffer, and of the response only
 * the status line and the framing (content-length or chunked) are read. node:http with an
 * Agent cost 60–95 µs of CPU per request, which the service under test had to share with it.
 */
export async function closedLoop(spec: LoadSpec): Promise<LoadResult> {
  const url = new URL(spec.url);
  const request = requestBuffer(spec, url);
  const port = Number(url.port || 80);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const t0 = performance.now();
  const end = t0 + spec.seconds * 1000;
  const connections = Array.from({ length: spec.connections }, () => new Connection(url.hostname, port));
  await Promise.all(
    connections.map(async (c) => {
      while (performance.now() < end) {
        const s = performance.now();
        try {
          const status = await c.send(request);
          statuses[status] = (statuses[status] ?? 0) + 1;
          latencies.push(performance.now() - s);
        } catch {
          errors++;
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  for (const c of connections) c.close();
  const sorted = Float64Array.from(latencies).sort();
  return {
    title: spec.title,
    requests: latencies.length,
    rps: latencies.length / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: latencies.length ? sorted.reduce((a, b) => a + b, 0) / latencies.length : NaN,
    statuses,
    errors,
    sorted,
    seconds,
  };
}

export function requestBuffer(spec: Pick<LoadSpec, 'method' | 'token' | 'body'>, url: URL): Buffer {
  const payload = spec.body === undefined ? undefined : Buffer.from(JSON.stringify(spec.body));
  const lines = [`${spec.method} ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`, `authorization: Bearer ${spec.token}`];
  if (payload) lines.push('content-type: application/json', `content-length: ${payload.length}`);
  else if (spec.method !== 'GET') lines.push('content-length: 0');
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return payload ? Buffer.concat([head, payload]) : head;
}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');

/** Where a response's body ends: `length` bytes, chunked, or (no framing) unsupported. */
type Framing = { kind: 'length'; remaining: number } | { kind: 'chunked' };

/**
 * One keep-alive connection carrying one request at a time. It (re)connects on demand: a
 * server that closes an idle connection costs a reconnect, not an error; one that closes it
 * with an answer outstanding fails that request (its outcome is unknown, so it is counted as
 * an error, never as a status).
 */
export class Connection {
  private socket: net.Socket | null = null;
  private buf: Buffer | null = null;
  private status = 0;
  private framing: Framing | null = null;
  private closeAfter = false;
  private waiting: { resolve: (status: number) => void; reject: (e: Error) => void } | null = null;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  send(request: Buffer): Promise<number> {
    if (this.waiting) return Promise.reject(new Error('a request is already in flight on this connection'));
    return new Promise<number>((resolve, reject) => {
      this.waiting = { resolve, reject };
      (this.socket ?? this.connect()).write(request);
    });
  }

  close() {
    this.socket?.destroy();
    this.socket = null;
  }

  private connect(): net.Socket {
    const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
    this.socket = socket;
    this.reset();
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return;
      try {
        this.onData(chunk);
      } catch (e) {
        this.fail(socket, e as Error);
      }
    });
    socket.on('error', (e) => this.fail(socket, e));
    socket.on('close', () => this.fail(socket, new Error('connection closed before the response ended')));
    return socket;
  }

  private reset() {
    this.buf = null;
    this.status = 0;
    this.framing = null;
    this.closeAfter = false;
  }

  private fail(socket: net.Socket, e: Error) {
    if (this.socket !== socket) return;
    socket.destroy();
    this.socket = null;
    const w = this.waiting;
    this.waiting = null;
    w?.reject(e);
  }

  private onData(chunk: Buffer) {
    if (!this.waiting) throw new Error(`${chunk.length} bytes arrived with no request in flight`);
    this.buf = this.buf ? Buffer.concat([this.buf, chunk]) : chunk;
    if (this.framing === null && !this.readHead()) return;
    if (!this.readBody()) return;
    if (this.buf.length) throw new Error(`${this.buf.length} bytes after the end of the response`);
    const status = this.status;
    const w = this.waiting;
    this.waiting = null;
    if (this.closeAfter) this.close();
    this.reset();
    w.resolve(status);
  }

  /** Status line and headers; false until they are complete. */
  private readHead(): boolean {
    const buf = this.buf!;
    const at = buf.indexOf(HEAD_END);
    if (at < 0) return false;
    const lines = buf.toString('latin1', 0, at).split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]!);
    if (!m) throw new Error(`not an HTTP/1.x status line: ${lines[0]}`);
    this.status = Number(m[1]);
    let length: number | null = null;
    let chunked = false;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line
        .slice(colon + 1)
        .trim()
        .toLowerCase();
      if (name === 'content-length') length = Number(value);
      else if (name === 'transfer-encoding') chunked = value.split(',').at(-1)!.trim() === 'chunked';
      else if (name === 'connection') this.closeAfter = value.split(',').some((t) => t.trim() === 'close');
    }
    this.buf = buf.subarray(at + HEAD_END.length);
    if (chunked) this.framing = { kind: 'chunked' };
    else if (length !== null && Number.isSafeInteger(length) && length >= 0) this.framing = { kind: 'length', remaining: length };
    else if (this.status === 204 || this.status === 304 || this.status < 200) this.framing = { kind: 'length', remaining: 0 };
    // A body delimited by closing the connection would end the keep-alive this client relies on.
    else throw new Error(`HTTP ${this.status} response without content-length or chunked framing`);
    return true;
  }

  /** Consumes body bytes; true once the body has ended (this.buf then holds what follows it). */
  private readBody(): boolean {
    const f = this.framing!;
    if (f.kind === 'length') {
      const take = Math.min(f.remaining, this.buf!.length);
      f.remaining -= take;
      this.buf = this.buf!.subarray(take);
      return f.remaining === 0;
    }
    for (;;) {
      const buf = this.buf!;
      const eol = buf.indexOf(CRLF);
      if (eol < 0) return false;
      const size = parseInt(buf.toString('latin1', 0, eol).split(';')[0]!, 16);
      if (!Number.isSafeInteger(size) || size < 0) throw new Error(`bad chunk size line: ${buf.toString('latin1', 0, eol)}`);
      if (size === 0) {
        // The last chunk, then optional trailer lines, then an empty line.
        const rest = buf.subarray(eol + CRLF.length);
        if (rest.subarray(0, 2).equals(CRLF)) {
          this.buf = rest.subarray(2);
          return true;
        }
        const trailersEnd = rest.indexOf(HEAD_END);
        if (trailersEnd < 0) return false;
        this.buf = rest.subarray(trailersEnd + HEAD_END.length);
        return true;
      }
      const next = eol + CRLF.length + size + CRLF.length;
      if (buf.length < next) return false;
      this.buf = buf.subarray(next);
    }
  }
}
