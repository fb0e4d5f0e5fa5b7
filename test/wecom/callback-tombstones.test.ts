import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { TEST_CALLBACK_SECRETS } from '../support/credentials.js';
import { silentLogger } from '../../plugin/core/logger.js';
import { createWecomCallbackService } from '../../plugin/wecom-callbacks/callback.service.js';
import { buildEventXml, sealCallback } from '../../simulator/sealing.js';
import { seedStores } from '../capacity/fixtures.js';
import { CORP_ID } from './helpers.js';

// A delete that reaches the plugin before its add (the add in flight or retried by WeCom) finds no
// contact row; the add that comes later must not bring the customer back nor count it again.
const USERID = 'kf_tombstone';
const RECONCILED = 10;
let db: TestDatabase;
let callbacks: ReturnType<typeof createWecomCallbackService>;

const count = async () => Number((await db.knex('wss_wecom_accounts').where({ userid: USERID }).first('customer_count')).customer_count);
const contact = (externalUserId: string) => db.knex('wss_wecom_contacts').where({ account_userid: USERID, external_userid: externalUserId }).first();

async function deliver(changeType: string, externalUserId: string, createTime: number, welcomeCode?: string) {
  const xml = buildEventXml({
    ToUserName: CORP_ID, FromUserName: 'sys', CreateTime: createTime, MsgType: 'event', Event: 'change_external_contact',
    ChangeType: changeType, UserID: USERID, ExternalUserID: externalUserId, ...(welcomeCode ? { WelcomeCode: welcomeCode } : {}),
  });
  const sealed = sealCallback(TEST_CALLBACK_SECRETS, xml);
  await callbacks.receive(sealed.query, sealed.body);
  await callbacks.idle();
}

beforeAll(async () => {
  db = await createTestDatabase();
  await seedStores(db.knex, [{ id: 'S_TOMB', branchId: 'B1', accounts: [{ userid: USERID, role: 'primary', count: RECONCILED, limit: 100 }] }]);
  callbacks = createWecomCallbackService({ db: db.knex, secrets: TEST_CALLBACK_SECRETS, logger: silentLogger, listeners: [] });
});
afterAll(async () => {
  await db.destroy();
});
beforeEach(async () => {
  await db.knex('wss_wecom_callback_events').delete();
  await db.knex('wss_wecom_contacts').delete();
  await db.knex('wss_wecom_contact_tombstones').delete();
  await db.knex('wss_wecom_accounts').where({ userid: USERID }).update({ customer_count: RECONCILED });
});

describe('a delete applied before its add (tombstones)', () => {
  it('keeps the customer deleted and the count unchanged when the earlier add arrives late', async () => {
    const t = Math.floor(Date.now() / 1000) - 60;
    await deliver('del_follow_user', 'wm_late_add', t + 5);
    expect(await count()).toBe(RECONCILED);
    await deliver('add_external_contact', 'wm_late_add', t, 'wc-late-1');
    expect(await count()).toBe(RECONCILED);
    expect(await contact('wm_late_add')).toMatchObject({ deleted_by: 'customer' });
    expect((await contact('wm_late_add')).deleted_at).not.toBeNull();
    expect(await db.knex('wss_wecom_contact_tombstones').where({ account_userid: USERID })).toHaveLength(0);
  });

  it('lets a re-add made after the delete through, once', async () => {
    const t = Math.floor(Date.now() / 1000) - 60;
    await deliver('del_external_contact', 'wm_readd', t);
    await deliver('add_external_contact', 'wm_readd', t + 3, 'wc-readd-2');
    expect(await count()).toBe(RECONCILED + 1);
    expect((await contact('wm_readd')).deleted_at).toBeNull();
    // WeCom's retry of that add (same XML) is stored once and changes nothing.
    await deliver('add_external_contact', 'wm_readd', t + 3, 'wc-readd-2');
    expect(await count()).toBe(RECONCILED + 1);
  });
});
