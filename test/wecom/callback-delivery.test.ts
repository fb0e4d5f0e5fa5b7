import { TEST_WECOM } from '../support/credentials.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCallbackCrypto, type WecomCallbackEvent } from '../../plugin/wecom-callbacks/callback-crypto.js';
import type { WecomSimulator } from '../../simulator/server.js';
import { CORP_ID, control, startSimulator } from './helpers.js';

const TOKEN = TEST_WECOM.callbackToken;
const AES_KEY = TEST_WECOM.callbackEncodingAesKey;

/** A callback receiver that verifies like the plugin will and can be told to stall. */
function startReceiver() {
  const crypto = createCallbackCrypto({ token: TOKEN, encodingAesKey: AES_KEY, corpId: CORP_ID });
  const received: WecomCallbackEvent[] = [];
  const control = { stallNext: 0, stallMs: 0 };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(url.searchParams);
    if (req.method === 'GET') {
      try {
        res.end(crypto.verifyUrl(query));
      } catch {
        res.writeHead(400).end();
      }
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const stall = control.stallNext > 0;
      if (stall) control.stallNext -= 1;
      const answer = () => {
        try {
          received.push(crypto.openEvent(query, Buffer.concat(chunks).toString('utf8')));
          if (!res.destroyed) res.end('success');
        } catch {
          if (!res.destroyed) res.writeHead(400).end();
        }
      };
      if (stall) setTimeout(answer, control.stallMs);
      else answer();
    });
  });
  return new Promise<{ url: string; received: WecomCallbackEvent[]; control: typeof control; close(): Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/wecom/callback`,
        received,
        control,
        close: () => new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}

describe('simulator callbacks', () => {
  let sim: WecomSimulator;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver();
    sim = await startSimulator({ callbackTimeoutMs: 150, callbackRetries: 3 });
  });
  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });
  beforeEach(async () => {
    await control(sim, 'POST', '/sim/reset');
    await control(sim, 'POST', '/sim/members', { members: [{ userid: 'zhangsan' }, { userid: 'lisi' }] });
    await control(sim, 'PUT', '/sim/callback-config', { url: receiver.url, token: TOKEN, encodingAesKey: AES_KEY });
    receiver.received.length = 0;
    receiver.control.stallNext = 0;
  });

  it('passes the admin-console URL check', async () => {
    expect(await control(sim, 'POST', '/sim/callback-config/verify')).toMatchObject({ ok: true, status: 200 });
  });

  it('sends an encrypted add event carrying the contact way state and a welcome code', async () => {
    const way = sim.context.state;
    way.contactWays.set('cfg1', { config_id: 'cfg1', type: 1, scene: 2, skip_verify: true, state: 'store-9', user: ['zhangsan'], party: [], is_temp: false, createdAt: 0 });
    const added = await control<{ external_userid: string; welcome_code: string; callback: { status: string } }>(sim, 'POST', '/sim/customers/add', { configId: 'cfg1' });
    expect(added.callback.status).toBe('delivered');
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]).toMatchObject({
      toUserName: CORP_ID, event: 'change_external_contact', changeType: 'add_external_contact', userId: 'zhangsan',
      externalUserId: added.external_userid, state: 'store-9', welcomeCode: added.welcome_code,
    });
  });

  it('retries a slow receiver and delivers the same event (same CreateTime) again', async () => {
    receiver.control.stallNext = 2;
    receiver.control.stallMs = 300;
    await control(sim, 'POST', '/sim/customers/add', { userid: 'zhangsan', wait: 'delivered' });
    const [record] = sim.callbacks;
    expect(record.status).toBe('delivered');
    expect(record.attempts).toHaveLength(3);
    expect(record.attempts.slice(0, 2).map((a) => a.error)).toEqual(['timeout', 'timeout']);
    await new Promise((r) => setTimeout(r, 350));
    // The stalled handlers still processed their copies: the receiver must dedupe.
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((e) => `${e.changeType}|${e.userId}|${e.externalUserId}|${e.createTime}`)).size).toBe(1);
  });

  it('gives up after the first attempt plus 3 retries', async () => {
    receiver.control.stallNext = 10;
    receiver.control.stallMs = 200;
    await control(sim, 'POST', '/sim/customers/add', { userid: 'zhangsan', wait: 'none' });
    await sim.waitForCallbacks();
    expect(sim.callbacks[0]).toMatchObject({ status: 'failed' });
    expect(sim.callbacks[0].attempts).toHaveLength(4);
    await new Promise((r) => setTimeout(r, 250)); // let the stalled handlers finish
  });

  it('delivers in order per member, drops on request and stays silent for set-count', async () => {
    receiver.control.stallNext = 1;
    receiver.control.stallMs = 40;
    const added = await control<{ external_userid: string }>(sim, 'POST', '/sim/customers/add', { userid: 'lisi', wait: 'none' });
    await control(sim, 'POST', '/sim/customers/delete', { userid: 'lisi', externalUserId: added.external_userid, by: 'customer', wait: 'none' });
    await control(sim, 'POST', '/sim/callbacks/wait');
    // On a loaded machine the stalled answer may still miss the 150 ms timeout and be retried (the
    // receiver dedupes); what matters is that the delete never overtakes the add.
    const firstSeen = [...new Set(receiver.received.map((e) => `${e.changeType}|${e.createTime}`))];
    expect(firstSeen.map((key) => key.split('|')[0])).toEqual(['add_external_contact', 'del_follow_user']);

    await control(sim, 'POST', '/sim/faults/callbacks', { drop: 1 });
    const dropped = await control<{ callback: { status: string } }>(sim, 'POST', '/sim/customers/add', { userid: 'zhangsan' });
    expect(dropped.callback.status).toBe('dropped');

    const before = receiver.received.length;
    expect(await control(sim, 'POST', '/sim/customers/set-count', { userid: 'zhangsan', count: 50 })).toMatchObject({ count: 50, added: 49 });
    await sim.waitForCallbacks();
    expect(receiver.received.length).toBe(before);
  });

  it('member-side delete raises del_external_contact', async () => {
    const added = await control<{ external_userid: string }>(sim, 'POST', '/sim/customers/add', { userid: 'zhangsan' });
    await control(sim, 'POST', '/sim/customers/delete', { userid: 'zhangsan', externalUserId: added.external_userid, by: 'member', wait: 'delivered' });
    expect(receiver.received.map((e) => e.changeType)).toEqual(['add_external_contact', 'del_external_contact']);
  });
});
