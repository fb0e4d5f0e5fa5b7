import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { ACTORS, startTestPlugin, TEST_WECOM_CONFIG, type TestPlugin } from '../support/plugin-app.js';
import type { WecomSimulator } from '../../simulator/server.js';
import { createCallbackStore } from '../../plugin/wecom-callbacks/callback.store.js';
import { addDays, todayIn } from '../../plugin/core/days.js';
import type { BehaviorDriftBody } from '../../plugin/contract/index.js';
import { control, startSimulator } from '../wecom/helpers.js';
import { seedStores } from '../capacity/fixtures.js';

// WeCom's behaviour data for yesterday (Beijing) next to the adds the plugin itself stored.
let db: TestDatabase;
let sim: WecomSimulator;
let plugin: TestPlugin;
const yesterday = addDays(todayIn('Asia/Shanghai'), -1);
const at = (hour: number) => Math.floor(Date.parse(`${yesterday}T00:00:00+08:00`) / 1000) + hour * 3600;
const pull = () => plugin.service.services.memberBehavior.pull();
const drift = async (actor = ACTORS.hq) => (await plugin.request(`/member-behavior/drift?day=${yesterday}`, { actor })).body as BehaviorDriftBody;
const calls = () => sim.counters()['/cgi-bin/externalcontact/get_user_behavior_data']?.calls ?? 0;

beforeAll(async () => {
  db = await createTestDatabase();
  // Yesterday's figures are not ready yet: WeCom answers zeros early in the morning.
  sim = await startSimulator({ behaviorReadyHour: 24, members: [{ userid: 'kf_b1' }, { userid: 'kf_b2' }] });
  plugin = await startTestPlugin({ db: db.knex, config: { wecom: { ...TEST_WECOM_CONFIG, apiBaseUrl: sim.url } } });
  await seedStores(db.knex, [
    { id: 'S_B1', branchId: 'B1', accounts: [{ userid: 'kf_b1', role: 'primary' }] },
    { id: 'S_B2', branchId: 'B2', accounts: [{ userid: 'kf_b2', role: 'primary' }] },
  ]);
  await control(sim, 'PUT', '/sim/behavior', { userid: 'kf_b1', day: yesterday, new_contact_cnt: 5, new_apply_cnt: 6, negative_feedback_cnt: 1 });
  await control(sim, 'PUT', '/sim/behavior', { userid: 'kf_b2', day: yesterday, new_contact_cnt: 3, new_apply_cnt: 3 });
  const store = createCallbackStore(db.knex);
  const add = (userId: string, i: number, createTime: number, changeType = 'add_external_contact') =>
    store.insertEvent({ dedupeKey: `${userId}-${i}`, event: 'change_external_contact', changeType, userId, externalUserId: `wm_${userId}_${i}`, createTime, rawXml: '<xml/>' });
  for (let i = 0; i < 4; i += 1) await add('kf_b1', i, at(10 + i));
  await add('kf_b1', 9, at(15), 'del_follow_user');
  await add('kf_b1', 10, at(-1)); // the day before, Beijing time
  for (let i = 0; i < 3; i += 1) await add('kf_b2', i, at(20));
});
afterAll(async () => {
  await plugin.close();
  await sim.close();
  await db.destroy();
});

describe('member behaviour data', () => {
  it('pulls yesterday once per member, re-pulls once later in the day, and reports WeCom’s adds beside the plugin’s', async () => {
    expect(await pull()).toMatchObject({ day: yesterday, members: 2, pulled: 2 });
    expect(calls()).toBe(2);
    let report = await drift();
    expect(report.items.find((i) => i.userid === 'kf_b1')).toMatchObject({ wecomNewContacts: 0, pluginAdds: 4, drift: -4, pulls: 1 });

    // Too soon for the re-pull.
    expect(await pull()).toMatchObject({ pulled: 0 });
    expect(calls()).toBe(2);

    // Later in the day the numbers are there.
    sim.options.behaviorReadyHour = 0;
    await db.knex('wss_member_behavior_days').update({ pulled_at: db.knex.raw("now() - interval '5 hours'") });
    expect(await pull()).toMatchObject({ pulled: 2 });
    report = await drift();
    expect(report.items).toEqual([
      expect.objectContaining({ userid: 'kf_b1', wecomNewContacts: 5, wecomNewApplies: 6, wecomNegativeFeedback: 1, pluginAdds: 4, drift: 1, pulls: 2 }),
      expect.objectContaining({ userid: 'kf_b2', wecomNewContacts: 3, pluginAdds: 3, drift: 0, pulls: 2 }),
    ]);
    expect(report.totals).toEqual({ wecomNewContacts: 8, pluginAdds: 7, membersWithDrift: 1, membersNotPulled: 0 });

    // Twice is enough.
    await db.knex('wss_member_behavior_days').update({ pulled_at: db.knex.raw("now() - interval '5 hours'") });
    expect(await pull()).toMatchObject({ pulled: 0 });
    expect(calls()).toBe(4);

    // A branch admin sees the accounts of its branch only.
    expect((await drift(ACTORS.adminB2)).items.map((i) => i.userid)).toEqual(['kf_b2']);
    expect((await plugin.request('/member-behavior/drift?day=yesterday', { actor: ACTORS.hq })).status).toBe(400);
  });
});
