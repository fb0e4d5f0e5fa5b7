import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBindingsWorld, type BindingsWorld } from '../bindings/helpers.js';
import { ACTORS } from '../support/plugin-app.js';
import { inlineRow, xlsxOf } from './xlsx-files.js';

/**
 * One pathological request must not stall the process: while each runs, the public entry (every
 * paid order) keeps answering within a bound. Files are built before the clock starts (the test
 * shares the server's process).
 */
const ENTRY_BOUND_MS = 2000;
let world: BindingsWorld;
let sharedStringBomb: Buffer;
let millionRows: Buffer;
let millionCsv: Buffer;

beforeAll(async () => {
  const sst = Buffer.concat([Buffer.from('<sst><si><t>门店编号</t></si><si><t>'), Buffer.alloc(100 * 1024 * 1024, 'A'), Buffer.from('</t></si></sst>')]);
  sharedStringBomb = xlsxOf('<row><c t="s"><v>0</v></c><c t="inlineStr"><is><t>企微账号</t></is></c></row><row><c t="s"><v>1</v></c></row>', sst);
  millionRows = xlsxOf(inlineRow(1, ['门店编号', '企微账号']) + '<row><c t="inlineStr"><is><t>S1</t></is></c></row>'.repeat(999_999));
  millionCsv = Buffer.from(`门店编号,企微账号\n${'S1,u\n'.repeat(1_000_000)}`);
  // The world starts after the files: building them blocks the loop longer than an HTTP keep-alive.
  world = await startBindingsWorld({ storesPerBranch: 2 });
  await world.plugin.request('/stores/S101/bindings', { actor: ACTORS.hq, method: 'POST', body: { userid: 'u_s101', role: 'primary' } });
  await world.plugin.request('/stores/S101/entry', { actor: ACTORS.hq, method: 'PUT', body: { visible: true } });
  await world.plugin.request('/me', { actor: ACTORS.viewerB1 });
}, 120_000);
afterAll(() => world?.close());

const base = () => `${world.plugin.url}${world.plugin.service.config.routesPrefix}`;

async function entryLatencyDuring(pathological: () => Promise<Response>): Promise<{ status: number; worstMs: number }> {
  let done = false;
  let worstMs = 0;
  const probe = (async () => {
    while (!done) {
      const started = performance.now();
      const res = await fetch(`${base()}/public/entry/S101`, { headers: { Connection: 'close' } });
      await res.text();
      expect(res.status).toBe(200);
      worstMs = Math.max(worstMs, performance.now() - started);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const res = await pathological();
  await res.text();
  await new Promise((r) => setTimeout(r, 100));
  done = true;
  await probe;
  return { status: res.status, worstMs };
}

const upload = (name: string, body: Buffer) =>
  fetch(`${base()}/imports?fileName=${name}`, { method: 'POST', headers: { 'X-Test-Actor': ACTORS.hq.id, 'Content-Type': 'application/octet-stream', Connection: 'close' }, body: new Uint8Array(body) });

describe('one pathological request', () => {
  it.each([
    ['a stats period ending 9999-12-31 (a viewer)', () => fetch(`${base()}/stats/overview?from=9999-12-01&to=9999-12-31`, { headers: { 'X-Test-Actor': ACTORS.viewerB1.id, Connection: 'close' } })],
    ['an XLSX with one 100 MB shared string', () => upload('bomb.xlsx', sharedStringBomb)],
    ['an XLSX with a million rows', () => upload('rows.xlsx', millionRows)],
    ['a CSV with a million rows', () => upload('rows.csv', millionCsv)],
    ['a callback with an entity flood', () => fetch(`${base()}/wecom/callback?msg_signature=${'0'.repeat(40)}&timestamp=1&nonce=1`, {
      method: 'POST',
      headers: { Connection: 'close' },
      body: `<!DOCTYPE xml [${Array.from({ length: 10 }, (_, i) => `<!ENTITY e${i + 1} "${`&e${i};`.repeat(10)}">`).join('').replace('&e0;'.repeat(10), 'x'.repeat(10))}]><xml><Encrypt>&e10;</Encrypt></xml>`,
    })],
  ])('%s: answered with a 4xx while the public entry stays within the bound', async (_name, pathological) => {
    const { status, worstMs } = await entryLatencyDuring(pathological);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    expect(worstMs).toBeLessThan(ENTRY_BOUND_MS);
  });
});
