import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createBrowserDemo } from '../support/browser-demo.js';
import type { DemoEnvironment } from '../../demo/environment.js';

// A bound member leaves: HQ sees the proposal on the handover page, approves it, and follows the
// transfer to the end; the screenshots at both widths are looked at by a person.
let demo: DemoEnvironment;
let browser: Browser;
const session = createBrowserDemo();
let leaver = '';
let storeId = '';

beforeAll(async () => {
  ({ demo, browser } = await session.start());
  // A store whose primary left the company with three customers; a backup with room takes them.
  storeId = String((await demo.db('wss_stores').orderBy('id').first('id')).id);
  leaver = 'kf_demo_leaver';
  const { upsertMember } = await import('../../simulator/state.js');
  const sim = demo.simulator;
  upsertMember(sim.state, { userid: leaver, name: '离职顾问' });
  upsertMember(sim.state, { userid: 'kf_demo_taker', name: '接替顾问' });
  sim.context.actions.setCount(leaver, 3);
  upsertMember(sim.state, { userid: leaver, status: 5 });
  const accounts = await demo.db('wss_wecom_accounts')
    .insert([{ userid: leaver, name: '离职顾问', wecom_status: 5, customer_count: 3 }, { userid: 'kf_demo_taker', name: '接替顾问', wecom_status: 1 }])
    .returning(['id', 'userid']);
  await demo.db('wss_store_accounts').insert(accounts.map((a) => ({ store_id: storeId, account_id: a.id, role: a.userid === leaver ? 'primary' : 'backup', bound_by: 'test' })));
  expect((await demo.service.jobs.runNow('handover-transfer')).outcome).toBe('ok');
});
afterAll(() => session.stop());

async function signIn(as: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${demo.url}/sign-in?as=${as}`);
  await page.goto(`${demo.url}/admin/handovers`);
  return page;
}
const card = (page: Page) => page.locator(`wss-handover-queue article`).filter({ hasText: storeId });

describe('handover queue in a real browser', () => {
  it('lets HQ approve a proposal and follow it to the end; a branch admin only reads', async () => {
    const page = await signIn('hq-ops');
    await card(page).waitFor();
    expect(await card(page).textContent()).toContain('成员已离职');
    expect(await card(page).textContent()).toContain('3 位客户');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: '.data/screenshots/handover-queue-390.png', fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: '.data/screenshots/handover-queue-1280.png', fullPage: true });
    await card(page).locator('button[data-action="approve"]').click();
    await expect.poll(() => card(page).count()).toBe(0);

    expect((await demo.service.jobs.runNow('handover-transfer')).outcome).toBe('ok');
    await page.locator('wss-handover-queue button[data-tab="in_progress"]').click();
    await card(page).waitFor();
    expect(await card(page).locator('[data-testid="counts"]').textContent()).toContain('等待客户接受 3');

    demo.simulator.state.clockOffsetMs += 24 * 3_600_000;
    expect((await demo.service.jobs.runNow('handover-transfer')).outcome).toBe('ok');
    await page.locator('wss-handover-queue button[data-tab="done"]').click();
    await card(page).waitFor();
    expect(await card(page).locator('[data-testid="counts"]').textContent()).toContain('已转接 3');
    await page.screenshot({ path: '.data/screenshots/handover-queue-done-1280.png', fullPage: true });
    await page.close();

    const branch = await signIn('admin-br-south');
    await branch.locator('wss-handover-queue button[data-tab="done"]').click();
    await branch.locator('wss-handover-queue .list').waitFor();
    expect(await branch.locator('wss-handover-queue button[data-action="approve"]').count()).toBe(0);
    await branch.close();
  });
});
