import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { TEST_CALLBACK_SECRETS } from '../support/credentials.js';
import { silentLogger } from '../../plugin/core/logger.js';
import { createWecomCallbackService } from '../../plugin/wecom-callbacks/callback.service.js';
import { createCallbackStore } from '../../plugin/wecom-callbacks/callback.store.js';
import { buildEventXml, sealCallback } from '../../simulator/sealing.js';
import type { WecomSimulator } from '../../simulator/server.js';
import { clientFor, control, startSimulator, CORP_ID } from '../wecom/helpers.js';
import type { CustomerLister } from '../../plugin/capacity/index.js';
import { buildFeature, seedStores } from './fixtures.js';

// WeCom's list is an absolute figure; callbacks around the list call are stored but not applied yet
// (their apply would count them again) or applied after the list was taken (overwriting loses them).
const USERID = 'kf_reconcile';
/** More accounts on the same sync page as USERID. */
const PAGE = ['kf_rec_pending', 'kf_rec_moving', 'kf_rec_failing', 'kf_rec_quiet'];
let db: TestDatabase;
let sim: WecomSimulator;
let callbacks: ReturnType<typeof createWecomCallbackService>;

const count = async () => Number((await db.knex('wss_wecom_accounts').where({ userid: USERID }).first('customer_count')).customer_count);
const truth = (userid = USERID) => sim.state.relations.filter((r) => r.userid === userid).length;
const countOf = async (userid: string) => Number((await db.knex('wss_wecom_accounts').where({ userid }).first('customer_count')).customer_count);

/** WeCom adds a customer; the callback comes back as the sealed event it would send. */
async function wecomAdds(userid = USERID): Promise<{ externalUserId: string; xml: string }> {
  const added = await control<{ external_userid: string; welcome_code: string }>(sim, 'POST', '/sim/customers/add', { userid, wait: 'none' });
  const xml = buildEventXml({
    ToUserName: CORP_ID, FromUserName: 'sys', CreateTime: Math.floor(Date.now() / 1000), MsgType: 'event', Event: 'change_external_contact',
    ChangeType: 'add_external_contact', UserID: userid, ExternalUserID: added.external_userid, WelcomeCode: added.welcome_code,
  });
  return { externalUserId: added.external_userid, xml };
}

function reconcile(lister: CustomerLister = clientFor(sim)) {
  return buildFeature(db.knex, {}, { wecom: lister }).capacity.sync();
}

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ members: [USERID, ...PAGE].map((userid) => ({ userid })) });
  await seedStores(db.knex, [
    { id: 'S_REC', branchId: 'B1', accounts: [{ userid: USERID, role: 'primary', count: 0, limit: 100 }] },
    { id: 'S_REC_PAGE', branchId: 'B1', accounts: PAGE.map((userid, i) => ({ userid, role: i ? 'backup' : 'primary', count: 0, limit: 100 }) as const) },
  ]);
  callbacks = createWecomCallbackService({ db: db.knex, secrets: TEST_CALLBACK_SECRETS, logger: silentLogger, listeners: [] });
});
afterAll(async () => {
  await sim.close();
  await db.destroy();
});
beforeEach(async () => {
  await control(sim, 'POST', '/sim/customers/set-count', { userid: USERID, count: 0 });
  await db.knex('wss_wecom_callback_events').delete();
  await db.knex('wss_wecom_contacts').delete();
  await db.knex('wss_wecom_accounts').where({ userid: USERID }).update({ customer_count: 0 });
});

describe('the capacity reconcile nets out callback events under the account lock', () => {
  it('does not count twice the callbacks stored but not applied when it wrote WeCom’s figure', async () => {
    // Five adds stored by a process that died before applying them (what it leaves behind).
    const store = createCallbackStore(db.knex);
    for (let i = 0; i < 5; i += 1) {
      const { xml, externalUserId } = await wecomAdds();
      await store.insertEvent({ dedupeKey: `pending-${i}`, event: 'change_external_contact', changeType: 'add_external_contact', userId: USERID, externalUserId, createTime: Math.floor(Date.now() / 1000), rawXml: xml });
    }
    expect(await reconcile()).toMatchObject({ counted: 1 + PAGE.length });
    expect(await count()).toBe(5);
    expect(await callbacks.processPending()).toBe(5);
    expect(await count()).toBe(truth());
    expect(await db.knex('wss_wecom_contacts').whereNull('deleted_at')).toHaveLength(5);
  });

  it('keeps a callback applied while WeCom’s list was on its way', async () => {
    for (let i = 0; i < 3; i += 1) {
      const { xml } = await wecomAdds();
      const sealed = sealCallback(TEST_CALLBACK_SECRETS, xml);
      await callbacks.receive(sealed.query, sealed.body);
    }
    await callbacks.idle();
    expect(await count()).toBe(3);
    const client = clientFor(sim);
    // WeCom answers the list; before the sync writes it, a new add arrives and is applied.
    const lister = {
      async listExternalContacts(userid: string) {
        const listed = await client.listExternalContacts(userid);
        if (userid !== USERID) return listed;
        const { xml } = await wecomAdds();
        const sealed = sealCallback(TEST_CALLBACK_SECRETS, xml);
        await callbacks.receive(sealed.query, sealed.body);
        await callbacks.idle();
        return listed;
      },
    };
    await reconcile(lister);
    expect(truth()).toBe(4);
    expect(await count()).toBe(4);
    // And the next reconcile agrees.
    await reconcile();
    expect(await count()).toBe(4);
  });

  it('writes a whole page of accounts in one go, netting each account against its own events only', async () => {
    const [pending, moving, failing, quiet] = PAGE;
    await db.knex('wss_wecom_accounts').whereIn('userid', PAGE).update({ customer_count: 0 });
    for (const userid of PAGE) await control(sim, 'POST', '/sim/customers/set-count', { userid, count: 2 });
    // `pending`: three adds stored by a dead process, not applied.
    const store = createCallbackStore(db.knex);
    for (let i = 0; i < 3; i += 1) {
      const { xml, externalUserId } = await wecomAdds(pending);
      await store.insertEvent({ dedupeKey: `page-pending-${i}`, event: 'change_external_contact', changeType: 'add_external_contact', userId: pending, externalUserId, createTime: Math.floor(Date.now() / 1000), rawXml: xml });
    }
    // `quiet` has one of pending's customers as its own (same external id, other account): no event of its own.
    const shared = sim.state.relations.find((r) => r.userid === pending)!.external_userid;
    await control(sim, 'POST', '/sim/customers/add', { userid: quiet, externalUserId: shared, wait: 'none' });
    await db.knex('wss_wecom_accounts').where({ userid: failing }).update({ customer_count: 7 });
    const client = clientFor(sim);
    const lister = {
      async listExternalContacts(userid: string) {
        if (userid === failing) throw new Error('WeCom 60011: no privilege');
        const listed = await client.listExternalContacts(userid);
        if (userid === moving) {
          // A customer added and applied after WeCom answered, before the page is written.
          const { xml } = await wecomAdds(moving);
          const sealed = sealCallback(TEST_CALLBACK_SECRETS, xml);
          await callbacks.receive(sealed.query, sealed.body);
          await callbacks.idle();
        }
        return listed;
      },
    };
    const report = await reconcile(lister);
    expect(report).toMatchObject({ accounts: 5, counted: 4, failed: 1 });
    expect(await countOf(pending)).toBe(5);
    expect(await countOf(moving)).toBe(3);
    expect(await countOf(quiet)).toBe(3);
    expect(await countOf(failing)).toBe(7);
    const state = await db.knex('wss_capacity_sync_state as s').join('wss_wecom_accounts as a', 'a.id', 's.account_id').whereIn('a.userid', PAGE).select('a.userid', 's.wecom_count', 's.error');
    expect(Object.fromEntries(state.map((r) => [r.userid, r.error ? 'error' : r.wecom_count]))).toEqual({ [pending]: 5, [moving]: 2, [failing]: 'error', [quiet]: 3 });
    expect(await callbacks.processPending()).toBe(3);
    for (const userid of [pending, moving, quiet]) expect(await countOf(userid)).toBe(truth(userid));
  });
});
