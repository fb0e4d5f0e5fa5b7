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
let db: TestDatabase;
let sim: WecomSimulator;
let callbacks: ReturnType<typeof createWecomCallbackService>;

const count = async () => Number((await db.knex('wss_wecom_accounts').where({ userid: USERID }).first('customer_count')).customer_count);
const truth = () => sim.state.relations.filter((r) => r.userid === USERID).length;

/** WeCom adds a customer; the callback comes back as the sealed event it would send. */
async function wecomAdds(): Promise<{ externalUserId: string; xml: string }> {
  const added = await control<{ external_userid: string; welcome_code: string }>(sim, 'POST', '/sim/customers/add', { userid: USERID, wait: 'none' });
  const xml = buildEventXml({
    ToUserName: CORP_ID, FromUserName: 'sys', CreateTime: Math.floor(Date.now() / 1000), MsgType: 'event', Event: 'change_external_contact',
    ChangeType: 'add_external_contact', UserID: USERID, ExternalUserID: added.external_userid, WelcomeCode: added.welcome_code,
  });
  return { externalUserId: added.external_userid, xml };
}

function reconcile(lister: CustomerLister = clientFor(sim)) {
  return buildFeature(db.knex, {}, { wecom: lister }).capacity.sync();
}

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ members: [{ userid: USERID }] });
  await seedStores(db.knex, [{ id: 'S_REC', branchId: 'B1', accounts: [{ userid: USERID, role: 'primary', count: 0, limit: 100 }] }]);
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
    expect(await reconcile()).toMatchObject({ counted: 1 });
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
});
