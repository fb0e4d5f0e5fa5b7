import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTORS } from '../support/plugin-app.js';
import { startBindingsWorld, type BindingsWorld } from '../bindings/helpers.js';

// The HQ review workflow through the routes: a branch submits, HQ sees the diff and the count,
// returns it with a reason, the branch sees it and changes it, HQ approves; every robot message is
// counted where it lands (the simulator's robots).
const HQ_KEY = 'review-hq-robot-key';
const B1_KEY = 'review-b1-robot-key';
const PAGE = 'https://crm.example.com/admin/reviews';

let world: BindingsWorld;
beforeAll(async () => {
  world = await startBindingsWorld({
    config: (simulatorUrl) => ({
      alerts: {
        robots: [
          { id: 'hq', channel: 'wecom', key: HQ_KEY },
          { id: 'b1', channel: 'wecom', key: B1_KEY },
        ],
        hqRobots: ['hq'],
        branchRobots: { B1: ['b1'] },
        robotBaseUrls: { wecom: simulatorUrl },
      },
      reviews: { reviewPageUrl: PAGE, hqDigest: { intervalMinutes: 30 }, rolloutDigest: { enabled: true } },
    }),
  });
  for (const key of [HQ_KEY, B1_KEY]) await fetch(`${world.sim.url}/sim/robots`, { method: 'POST', body: JSON.stringify({ kind: 'wecom', key }) });
});
afterAll(() => world?.close());

const { hq, adminB1, adminB2, viewerB1 } = ACTORS;
const req = (path: string, opts: Parameters<BindingsWorld['plugin']['request']>[1] = {}) => world.plugin.request(path, opts);
const bind = (storeId: string, userid: string, role: 'primary' | 'backup' = 'primary', actor = adminB1) =>
  req(`/stores/${storeId}/bindings`, { actor, method: 'POST', body: { userid, role } });
const queue = async (actor = hq, query = '') => (await req(`/reviews${query}`, { actor })).body;
const reviewOf = async (storeId: string, kind = 'pending') => (await queue(hq, `?kind=${kind}&storeId=${storeId}`)).items[0];
const decide = (body: unknown, actor = hq) => req('/reviews/decisions', { actor, method: 'POST', body });
const entryOf = (storeId: string) => world.db.knex('wss_store_entries').where('store_id', storeId).first();
const runJob = async (id: string) => {
  const run = await world.plugin.service.jobs.runNow(id);
  expect(run.outcome).toBe('ok');
  return run.result as any;
};
const robotTexts = async (key: string) => {
  await runJob('alert-delivery');
  return world.sim.state.robotMessages.filter((m) => m.key === key).map((m) => m.content);
};

describe('HQ review of binding changes', () => {
  it('puts a branch submission in HQ\'s queue with the diff, the accounts and the count; scoped per branch', async () => {
    expect((await bind('S101', 'u_s101')).status).toBe(200);
    expect((await bind('S101', 'u_s101_b', 'backup')).status).toBe(200);
    expect((await bind('S201', 'u_s201', 'primary', adminB2)).status).toBe(200);

    const list = await queue();
    expect(list.total).toBe(2);
    const s101 = list.items.find((i: any) => i.storeId === 'S101');
    expect(s101).toMatchObject({
      status: 'pending',
      revision: 2,
      branchName: '华东',
      baseline: { primary: null, backups: [], retired: [] },
      submitted: { primary: 'u_s101', backups: ['u_s101_b'], retired: [] },
      actions: ['bind', 'add_backup'],
      submittedBy: { id: adminB1.id, name: adminB1.name },
      entry: { visible: false },
    });
    expect(s101.accounts.map((a: any) => [a.userid, a.name, a.wecomStatus, a.count, a.limit])).toEqual([
      ['u_s101', '店员S101', 1, 0, 5000],
      ['u_s101_b', '备用S101', 1, 0, 5000],
    ]);
    expect((await req('/reviews/summary', { actor: hq })).body).toMatchObject({ pending: 2, returned: 0 });
    // A branch admin and a viewer see their branch only.
    expect((await queue(adminB1)).items.map((i: any) => i.storeId)).toEqual(['S101']);
    expect((await req('/reviews/summary', { actor: viewerB1 })).body).toMatchObject({ pending: 1 });
    expect((await req('/reviews?branchId=B2', { actor: adminB1 })).status).toBe(403);
  });

  it('sends HQ one digest per interval, counting new submissions per branch, with a link', async () => {
    expect(await runJob('review-digest')).toMatchObject({ sent: true, submissions: 2, messagesQueued: 1 });
    let texts = await robotTexts(HQ_KEY);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain('新提交 2 家门店，当前待审核共 2 家');
    expect(texts[0]).toContain('华东：新提交 1 家，待审核 1 家');
    expect(texts[0]).toContain('华南：新提交 1 家，待审核 1 家');
    expect(texts[0]).toContain(`前往审核：${PAGE}`);

    expect((await bind('S102', 'u_s102')).status).toBe(200);
    expect(await runJob('review-digest')).toMatchObject({ sent: false, skipped: 'too_soon' });
    // Half an hour later the next digest counts only what came since.
    await world.db.knex('wss_review_digests').update({ sent_at: world.db.knex.raw("sent_at - interval '31 minutes'") });
    expect(await runJob('review-digest')).toMatchObject({ sent: true, submissions: 1 });
    expect(await runJob('review-digest')).toMatchObject({ sent: false });
    texts = await robotTexts(HQ_KEY);
    expect(texts).toHaveLength(2);
    expect(texts[1]).toContain('新提交 1 家门店，当前待审核共 3 家');
    expect(world.sim.state.robotMessages.filter((m) => m.key === B1_KEY)).toHaveLength(0);
  });

  it('returns a store with a reason; the branch sees it on the store and among its returned stores; the branch robot is told', async () => {
    const review = await reviewOf('S101');
    const noReason = await decide({ decision: 'reject', items: [{ reviewId: review.id, revision: review.revision }] });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.code).toBe('reason_required');
    expect((await decide({ decision: 'reject', items: [{ reviewId: review.id, revision: review.revision }], reason: 'x' }, adminB1)).status).toBe(403);

    const res = await decide({ decision: 'reject', items: [{ reviewId: review.id, revision: review.revision }], reason: '备用账号未实名认证' });
    expect(res.body).toMatchObject({ rejected: 1, approved: 0, skipped: 0, results: [{ storeId: 'S101', outcome: 'rejected' }] });
    expect(await entryOf('S101')).toMatchObject({ visible: false, hidden_automatically: 'review_rejected', reason: '审核未通过：备用账号未实名认证' });

    const returned = await queue(adminB1, '?kind=returned');
    expect(returned.items.map((i: any) => [i.storeId, i.note, i.decidedBy.name])).toEqual([['S101', '备用账号未实名认证', hq.name]]);
    const stores = await req('/stores?q=S101', { actor: adminB1 });
    expect(stores.body.items[0].entryReason).toBe('审核未通过：备用账号未实名认证');
    expect((await req('/reviews/summary', { actor: adminB1 })).body).toMatchObject({ returned: 1 });
    // The binding stays as submitted.
    expect((await req('/stores/S101/bindings', { actor: adminB1 })).body.bindings.map((b: any) => b.userid)).toEqual(['u_s101', 'u_s101_b']);
    const audit = await world.db.knex('wss_audit_log').where({ action: 'review.reject', store_id: 'S101' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_id: hq.id, reason: '备用账号未实名认证' });

    const texts = await robotTexts(B1_KEY);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain('华东：退回 1 家');
    expect(texts[0]).toContain('退回：S101 门店S101（原因：备用账号未实名认证）');
    expect((await robotTexts(HQ_KEY))).toHaveLength(2);
  });

  it('skips a decision on a review that changed since it was seen', async () => {
    const review = await reviewOf('S201');
    const res = await decide({ decision: 'approve', items: [{ reviewId: review.id, revision: review.revision + 1 }] });
    expect(res.body.results).toEqual([{ reviewId: review.id, storeId: 'S201', outcome: 'skipped', problem: 'review_changed', message: expect.any(String) }]);
    expect((await entryOf('S201')).visible).toBe(false);
  });

  it('a change resubmits the returned store against what HQ last approved; approving shows the entry', async () => {
    expect((await req('/stores/S101/bindings/u_s101_b', { actor: adminB1, method: 'DELETE' })).status).toBe(200);
    const review = await reviewOf('S101');
    expect(review).toMatchObject({ revision: 1, baseline: { primary: null, backups: [] }, submitted: { primary: 'u_s101', backups: [] }, actions: ['unbind'] });
    expect(await entryOf('S101')).toMatchObject({ hidden_automatically: 'pending_review' });
    expect((await queue(adminB1, '?kind=returned')).items).toEqual([]);

    const res = await decide({ decision: 'approve', items: [{ reviewId: review.id, revision: review.revision }], reason: '已核实' });
    expect(res.body).toMatchObject({ approved: 1, results: [{ storeId: 'S101', outcome: 'approved' }] });
    expect(await entryOf('S101')).toMatchObject({ visible: true, hidden_automatically: null });
    expect(await world.db.knex('wss_binding_reviews').where('id', review.id).first()).toMatchObject({ status: 'approved', shown: true, decided_by: hq.id, decision_note: '已核实' });
    expect(await world.db.knex('wss_audit_log').where({ action: 'review.approve', store_id: 'S101' })).toHaveLength(1);
    const texts = await robotTexts(B1_KEY);
    expect(texts.at(-1)).toContain('通过：S101 门店S101，入口已展示');

    // The next change is compared with what HQ approved; HQ may approve it and keep the entry hidden.
    expect((await req('/stores/S101/primary', { actor: adminB1, method: 'PUT', body: { userid: 'u_s101_b', mode: 'rebind' } })).status).toBe(200);
    const next = await reviewOf('S101');
    expect(next).toMatchObject({ baseline: { primary: 'u_s101', backups: [] }, submitted: { primary: 'u_s101_b', backups: [] }, actions: ['rebind'] });
    expect((await decide({ decision: 'approve', show: false, items: [{ reviewId: next.id, revision: next.revision }] })).body.approved).toBe(1);
    expect(await entryOf('S101')).toMatchObject({ visible: false, hidden_automatically: null, reason: '审核通过，暂不展示' });
    expect((await robotTexts(B1_KEY)).at(-1)).toContain('入口暂不展示');
  });

  it('showing an entry by hand approves its pending review', async () => {
    const review = await reviewOf('S201');
    expect((await req('/stores/S201/entry', { actor: hq, method: 'PUT', body: { visible: true, reason: '总部确认' } })).status).toBe(200);
    expect(await world.db.knex('wss_binding_reviews').where('id', review.id).first()).toMatchObject({ status: 'approved', shown: true, decided_by: hq.id });
    expect((await queue()).items.map((i: any) => i.storeId)).toEqual(['S102']);
  });

  it('lets a branch resubmit a returned store unchanged, once', async () => {
    const review = await reviewOf('S102');
    await decide({ decision: 'reject', items: [{ reviewId: review.id, revision: review.revision }], reason: '账号未开通客户联系' });
    expect((await req('/stores/S102/review/resubmit', { actor: adminB2, method: 'POST' })).status).toBe(403);
    const res = await req('/stores/S102/review/resubmit', { actor: adminB1, method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body.review).toMatchObject({ storeId: 'S102', status: 'pending', actions: ['resubmit'], submitted: { primary: 'u_s102' } });
    expect(await entryOf('S102')).toMatchObject({ hidden_automatically: 'pending_review' });
    const again = await req('/stores/S102/review/resubmit', { actor: adminB1, method: 'POST' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('review_not_returned');
  });

  it('withdraws a review when nothing is left to review', async () => {
    await bind('S103', 'u_s103');
    expect((await reviewOf('S103')).status).toBe('pending');
    await req('/stores/S103/bindings/u_s103', { actor: adminB1, method: 'DELETE' });
    expect(await reviewOf('S103')).toBeUndefined();
    expect(await world.db.knex('wss_binding_reviews').where('store_id', 'S103').pluck('status')).toEqual(['withdrawn']);
    expect(await entryOf('S103')).toMatchObject({ hidden_automatically: 'no_active_account' });
  });

  it('approves many at once and reports per store; a store that cannot be shown stays pending', async () => {
    await bind('S104', 'u_s104');
    await bind('S105', 'u_s105');
    world.sim.state.members.get('u_s105')!.status = 2;
    await runJob('account-status-check');
    const items = [await reviewOf('S102'), await reviewOf('S104'), await reviewOf('S105')].map((r) => ({ reviewId: r.id, revision: r.revision }));
    const res = await decide({ decision: 'approve', items });
    expect(res.body).toMatchObject({ approved: 2, skipped: 1 });
    expect(res.body.results.map((r: any) => [r.storeId, r.outcome, r.problem ?? null])).toEqual([
      ['S102', 'approved', null], ['S104', 'approved', null], ['S105', 'skipped', 'no_active_account'],
    ]);
    expect((await queue()).items.map((i: any) => i.storeId)).toEqual(['S105']);
    // One message for the branch about this decision, naming both stores.
    const last = (await robotTexts(B1_KEY)).at(-1)!;
    expect(last).toContain('通过 2 家');
    expect(last).toContain('S102');
    expect(last).toContain('S104');
  });

  it('sends each branch its rollout digest once a day (binding rate, pending, unbound)', async () => {
    const before = (await robotTexts(B1_KEY)).length;
    expect(await runJob('rollout-digest')).toMatchObject({ sent: true, branches: 2 });
    expect(await runJob('rollout-digest')).toMatchObject({ messagesQueued: 0 });
    const texts = (await robotTexts(B1_KEY)).slice(before);
    expect(texts).toHaveLength(1);
    // B1: S101–S105 open (S199 closed); all but S103 bound; S102 and S104 shown (S101 kept hidden); S105 pending.
    expect(texts[0]).toContain('【门店企微上线进度】华东');
    expect(texts[0]).toContain('已绑定 4/5 家营业门店（80%），已展示入口 2 家，待审核 1 家，被退回 0 家。');
    expect(texts[0]).toContain('尚未绑定（1 家）：');
    expect(texts[0]).toContain('· S103 门店S103');
    // The HQ robot gets no rollout digest, and B2 has no robot.
    expect((await robotTexts(HQ_KEY)).filter((t) => t.includes('上线进度'))).toEqual([]);
  });
});
