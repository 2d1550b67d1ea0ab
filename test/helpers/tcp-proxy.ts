import { connect, createServer, type Socket } from 'node:net';
import { openPostgres } from '../../src/db/connect.ts';

/**
 * A TCP proxy in front of the database that a test can cut and restore: cutting destroys
 * every open connection and refuses new ones, as a crashed or unreachable server would.
 */
export async function startTcpProxy(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let open = true;
  const server = createServer((client) => {
    if (!open) return client.destroy();
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      open = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        open = false;
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A pool of `max` connections to the database at `url` through a startTcpProxy the test can cut
 * and restore; `close` ends both.
 */
export async function openViaProxy(url: string, max = 4) {
  const target = new URL(url);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const through = new URL(url);
  through.host = `127.0.0.1:${proxy.port}`;
  const handle = openPostgres(through.toString(), max);
  return {
    proxy,
    handle,
    close: async () => {
      await handle.close();
      await proxy.close();
    },
  };
}
