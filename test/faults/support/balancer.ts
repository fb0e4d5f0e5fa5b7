/**
 * A round-robin HTTP load balancer in front of the host processes, as in production: each request
 * goes to the next host; a host that refuses the connection is skipped (a dead process), a host that
 * dies mid-request answers nothing (the client, WeCom, retries).
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Balancer {
  url: string;
  /** Base URLs of the hosts; change it as hosts stop and start. */
  targets: string[];
  /** Index (into targets) the next request goes to first. */
  next: number;
  close(): Promise<void>;
}

function forward(req: IncomingMessage, res: ServerResponse, body: Buffer, target: string, onRefused: () => void) {
  const upstream = new URL(req.url ?? '/', target);
  const proxied = request(upstream, { method: req.method, headers: { ...req.headers, host: upstream.host } }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  proxied.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'ECONNREFUSED' && !res.headersSent) return onRefused();
    res.destroy();
  });
  proxied.end(body);
}

export async function startBalancer(targets: string[] = []): Promise<Balancer> {
  const balancer: Balancer = { url: '', targets, next: 0, close: async () => undefined };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const order = balancer.targets.map((_, i) => (balancer.next + i) % balancer.targets.length);
      balancer.next = (balancer.next + 1) % Math.max(1, balancer.targets.length);
      const attempt = (k: number) => {
        if (k >= order.length) {
          res.writeHead(502).end('no host');
          return;
        }
        forward(req, res, body, balancer.targets[order[k]], () => attempt(k + 1));
      };
      attempt(0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  balancer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  balancer.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return balancer;
}
