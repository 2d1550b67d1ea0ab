import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** webhook-id: the event id receivers dedupe by. */
  id: string;
  type: string;
  seq: number;
}

/** A local webhook receiver on 127.0.0.1 (random port) that records every request and answers `respond`'s status. */
export async function startReceiver(respond: (r: Received, n: number) => number | Promise<number> = () => 200) {
  const received: Received[] = [];
  let responder = respond;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const json = JSON.parse(body) as { type: string; data: { seq: number } };
      const r: Received = { headers: req.headers, body, id: String(req.headers['webhook-id']), type: json.type, seq: json.data.seq };
      received.push(r);
      void Promise.resolve(responder(r, received.length)).then((status) => res.writeHead(status).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    respondWith(fn: typeof respond) {
      responder = fn;
    },
    /** Event sequences in order of first arrival of each webhook-id (what a deduping receiver processes). */
    firstArrivals(): number[] {
      const seen = new Set<string>();
      return received.filter((r) => !seen.has(r.id) && seen.add(r.id)).map((r) => r.seq);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
