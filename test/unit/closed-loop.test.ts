import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closedLoop, Connection, requestBuffer } from '../../bench/closed-loop.ts';

/** The bench's HTTP client reads only status and framing, so its framing must be exact: a miscounted body would shift every later answer on the connection. */

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

/** A raw server: for each request (GET, no body) it writes the pieces `answer` returns, one write each, with a turn of the event loop between them. */
async function rawServer(answer: (n: number, socket: net.Socket) => (string | Buffer)[]) {
  let requests = 0;
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    let pending = '';
    socket.on('data', (b: Buffer) => {
      pending += b.toString('latin1');
      void (async () => {
        while (pending.includes('\r\n\r\n')) {
          pending = pending.slice(pending.indexOf('\r\n\r\n') + 4);
          for (const piece of answer(requests++, socket)) {
            if (socket.destroyed) return;
            socket.write(piece);
            await new Promise((r) => setImmediate(r));
          }
        }
      })();
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  const { port } = server.address() as net.AddressInfo;
  return { port, requests: () => requests, connections: () => connections };
}

const get = (port: number) => requestBuffer({ method: 'GET', token: 't' }, new URL(`http://127.0.0.1:${port}/x`));

function bytewise(s: string): string[] {
  return [...s];
}

describe('bench closed-loop client', () => {
  it('reads content-length bodies split anywhere, keeping one connection alive', async () => {
    const body = JSON.stringify({ id: 'ord_1', promised: '2029-01-01' });
    const srv = await rawServer((n) =>
      bytewise(`HTTP/1.1 ${n % 2 ? 409 : 201} X\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`),
    );
    const c = new Connection('127.0.0.1', srv.port);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await c.send(get(srv.port)));
    c.close();
    expect(statuses).toEqual([201, 409, 201, 409]);
    expect(srv.connections()).toBe(1);
  });

  it('reads chunked bodies with extensions and trailers, split anywhere', async () => {
    const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1a\r\n' + 'x'.repeat(26) + '\r\n0\r\n';
    const srv = await rawServer((n) => (n === 0 ? bytewise(`${chunked}\r\n`) : [`${chunked}Trailer-A: 1\r\nTrailer-B: 2\r\n\r\n`]));
    const c = new Connection('127.0.0.1', srv.port);
    expect(await c.send(get(srv.port))).toBe(200);
    expect(await c.send(get(srv.port))).toBe(200);
    expect(await c.send(get(srv.port))).toBe(200);
    c.close();
    expect(srv.connections()).toBe(1);
  });

  it('reconnects after a response that closes the connection, without an error', async () => {
    const srv = await rawServer((_n, socket) => {
      setImmediate(() => socket.end());
      return ['HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n'];
    });
    const c = new Connection('127.0.0.1', srv.port);
    expect(await c.send(get(srv.port))).toBe(204);
    expect(await c.send(get(srv.port))).toBe(204);
    c.close();
    expect(srv.connections()).toBe(2);
  });

  it('fails a request whose answer is cut off or not framed, never counting a status', async () => {
    const srv = await rawServer((n, socket) => {
      if (n === 0) {
        setImmediate(() => socket.destroy());
        return ['HTTP/1.1 201 Created\r\nContent-Length: 100\r\n\r\n{"id":'];
      }
      return ['HTTP/1.1 201 Created\r\n\r\n{}'];
    });
    const c = new Connection('127.0.0.1', srv.port);
    await expect(c.send(get(srv.port))).rejects.toThrow(/closed before the response ended/);
    await expect(c.send(get(srv.port))).rejects.toThrow(/without content-length or chunked/);
    c.close();
  });

  it('counts every answer of a closed loop against node:http, body and headers as sent', async () => {
    const seen: unknown[] = [];
    let served = 0;
    const server = http.createServer((req, res) => {
      let text = '';
      req.on('data', (b: Buffer) => (text += b.toString()));
      req.on('end', () => {
        seen.push({ auth: req.headers.authorization, type: req.headers['content-type'], body: JSON.parse(text) as unknown });
        const status = served++ % 3 === 0 ? 409 : 201;
        // Alternate framings: node:http chunks a body written in pieces without a length.
        if (served % 2) {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.write('{"a":');
          res.end('1}');
        } else res.writeHead(status, { 'content-type': 'application/json' }).end('{"a":1}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => server.close(() => r())));
    const { port } = server.address() as net.AddressInfo;
    const r = await closedLoop({
      title: 't',
      url: `http://127.0.0.1:${port}/v1/plants/p/orders`,
      method: 'POST',
      token: 'k',
      body: { sku: 'S', quantity: 10 },
      connections: 4,
      seconds: 0.3,
    });
    expect(r.errors).toBe(0);
    expect(r.requests).toBe(served);
    expect((r.statuses['201'] ?? 0) + (r.statuses['409'] ?? 0)).toBe(served);
    expect(r.statuses['409']).toBe(Math.ceil(served / 3));
    expect(r.sorted.length).toBe(served);
    expect(seen[0]).toEqual({ auth: 'Bearer k', type: 'application/json', body: { sku: 'S', quantity: 10 } });
  });
});
