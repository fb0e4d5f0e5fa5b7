import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWecomSimulator, type WecomSimulator } from '../../simulator/server.js';

/** Simulator with its robot windows scaled: 60 s of robot time = windowMs here. */
export async function startRobotSimulator(windowMs: number): Promise<WecomSimulator> {
  return createWecomSimulator({ robotWindowScale: windowMs / 60_000 });
}

export async function addRobot(sim: WecomSimulator, robot: { kind: 'wecom' | 'dingtalk' | 'feishu'; key: string; secret?: string }) {
  const response = await fetch(`${sim.url}/sim/robots`, { method: 'POST', body: JSON.stringify(robot) });
  if (!response.ok) throw new Error(`sim robots: ${response.status}`);
}

export const robotMessages = (sim: WecomSimulator) => sim.state.robotMessages;

/**
 * A proxy in front of the simulator: answers 502 while `failures` > 0, holds requests while `hold`
 * is set (dropping them if the client goes away), else forwards.
 */
export async function startFlakyProxy(target: string) {
  const control = { failures: 0, hold: false, held: 0 };
  const server: Server = createServer((req, res) => {
    if (control.failures > 0) {
      control.failures -= 1;
      req.resume();
      res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>502 Bad Gateway</h1>');
      return;
    }
    if (control.hold) {
      control.held += 1;
      req.resume();
      return; // never answered; the socket dies with the client
    }
    const upstream = new URL(req.url ?? '/', target);
    const proxied = httpRequest(upstream, { method: req.method, headers: { ...req.headers, host: upstream.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(proxied);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    control,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
