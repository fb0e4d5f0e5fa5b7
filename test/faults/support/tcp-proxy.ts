/**
 * A TCP proxy in front of PostgreSQL that can make the connections that LISTEN go half-open: it
 * stops forwarding in both directions and keeps the sockets open (no FIN, no RST), as a NAT or a
 * firewall that forgot the connection does. Connections opened afterwards work.
 */
import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface PgProxy {
  url: string;
  /** Connections frozen so far. */
  frozen: number;
  /** Freezes every current connection that has sent LISTEN. */
  freezeListeners(): number;
  close(): Promise<void>;
}

export async function startPgProxy(targetUrl: string): Promise<PgProxy> {
  const target = new URL(targetUrl);
  const pairs = new Set<{ client: Socket; server: Socket; listens: boolean; frozen: boolean }>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    const pair = { client, server: upstream, listens: false, frozen: false };
    pairs.add(pair);
    client.on('data', (chunk: Buffer) => {
      if (pair.frozen) return;
      if (!pair.listens && chunk.includes('LISTEN ')) pair.listens = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!pair.frozen) client.write(chunk);
    });
    const end = () => {
      if (pair.frozen) return; // half-open: nothing is passed on, not even the close
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = new URL(targetUrl);
  url.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const proxy: PgProxy = {
    url: url.toString(),
    frozen: 0,
    freezeListeners() {
      let n = 0;
      for (const pair of pairs) {
        if (pair.listens && !pair.frozen) {
          pair.frozen = true;
          n += 1;
        }
      }
      proxy.frozen += n;
      return n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const pair of pairs) {
          pair.client.destroy();
          pair.server.destroy();
        }
        server.close(() => resolve());
      }),
  };
  return proxy;
}
