import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createBrowserDemo } from '../support/browser-demo.js';
import type { DemoEnvironment } from '../../demo/environment.js';

// The review workflow as people click it: a branch admin picks a member and binds, HQ sees the
// count and the diff and returns it, the branch sees why and changes it, HQ approves and the entry
// is shown; robots hear of it (counted at the simulator); bulk show with mixed eligibility; the
// consequences asked before destructive actions; the operation log.
let demo: DemoEnvironment;
let browser: Browser;
const session = createBrowserDemo();
const HQ_ROBOT = 'demo-hq-wecom-robot-key';
const SOUTH_ROBOT = 'demo-south-feishu-token';
const HQ_NAME = '王敏（中央企微运营）';

beforeAll(async () => {
  ({ demo, browser } = await session.start({ config: () => ({ reviews: { reviewPageUrl: 'https://crm.example.com/admin/reviews' } }) }));
});
afterAll(() => session.stop());

async function signIn(as: string, path = '/admin/stores'): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${demo.url}/sign-in?as=${as}`);
  if (path !== '/admin/stores') await page.goto(`${demo.url}${path}`);
  return page;
}
const admin = 'wss-binding-admin';
const row = (page: Page, storeId: string) => page.locator(`${admin} tbody tr[data-store-id="${storeId}"]`);
async function search(page: Page, q: string, rows = 1) {
  await page.locator(`${admin} tbody tr[data-store-id]`).first().waitFor();
  await page.fill(`${admin} input[data-filter="q"]`, q);
  await expect.poll(() => page.locator(`${admin} tbody tr[data-store-id]`).count()).toBe(rows);
}
const card = (page: Page, storeId: string) => page.locator(`wss-review-queue article[data-store-id="${storeId}"]`);
const robotTexts = async (key: string) => {
  expect((await demo.service.jobs.runNow('alert-delivery')).outcome).toBe('ok');
  return demo.simulator.state.robotMessages.filter((m) => m.key === key).map((m) => m.content);
};
const memberName = (userid: string) => demo.simulator.state.members.get(userid)!.name;

describe('HQ review workflow in a real browser', () => {
  it('a branch admin finds the member by name, sees its fill, binds; a full account is refused with its real count', async () => {
    const page = await signIn('admin-br-south');
    await search(page, 'S2004');
    await row(page, 'S2004').locator('button[data-action="bind"]').click();
    await page.locator('wss-binding-dialog dialog').waitFor();
    // kf_s3001 already has 4,790 customers (95.8 %): refused.
    await page.fill('wss-binding-dialog input[data-field="userid"]', 'kf_s3001');
    await expect.poll(() => page.locator('wss-binding-dialog [data-testid="check"]').textContent()).toContain('不能绑定');
    expect(await page.locator('wss-binding-dialog [data-testid="check"]').textContent()).toContain('已有 4,790 位客户');
    expect(await page.locator('wss-binding-dialog button[data-action="save"]').isDisabled()).toBe(true);

    const name = memberName('kf_s2004');
    await page.fill('wss-binding-dialog input[data-field="userid"]', name);
    const option = page.locator('wss-binding-dialog [data-testid="member-results"] li[data-userid="kf_s2004"]');
    await option.waitFor();
    expect(await option.textContent()).toContain('已激活');
    await option.click();
    await expect.poll(() => page.locator('wss-binding-dialog [data-testid="check"]').textContent()).toContain('✓');
    expect(await page.locator('wss-binding-dialog input[data-field="userid"]').inputValue()).toBe('kf_s2004');
    expect(await page.locator('wss-binding-dialog [data-testid="fill"]').textContent()).toMatch(/^客户 \d+ \/ 5,000（[\d.]+%）$/);
    await page.locator('wss-binding-dialog button[data-action="save"]').click();
    await expect.poll(() => row(page, 'S2004').locator('td[data-col="entry"]').textContent()).toContain('待中央企微运营审核');
    await page.close();
  });

  it('HQ sees the count in the navigation and the diff, and returns the store with a reason', async () => {
    // One digest tells HQ robots what the branch submitted (a decided review is no longer news).
    expect((await demo.service.jobs.runNow('review-digest')).result).toMatchObject({ sent: true, submissions: 1 });
    expect((await demo.service.jobs.runNow('review-digest')).result).toMatchObject({ sent: false, skipped: 'too_soon' });
    const hq = await robotTexts(HQ_ROBOT);
    expect(hq.filter((t) => t.includes('【门店绑定待审核】'))).toHaveLength(1);
    expect(hq[0]).toContain('华南分公司：新提交 1 家');
    expect(hq[0]).toContain('https://crm.example.com/admin/reviews');
    const page = await signIn('hq-ops', '/admin/reviews');
    expect(await page.locator('[data-testid="nav-count"]').textContent()).toBe('1');
    const item = card(page, 'S2004');
    await item.waitFor();
    const name = memberName('kf_s2004');
    expect(await item.locator('[data-testid="diff"] tr[data-role="primary"] td.old').textContent()).toBe('无');
    expect(await item.locator('[data-testid="diff"] tr[data-role="primary"] td.new').textContent()).toBe(`${name}(kf_s2004)`);
    expect(await item.textContent()).toContain('林经理（华南分公司管理员）');
    expect(await item.locator('li[data-userid="kf_s2004"]').textContent()).toContain('已激活');
    expect(await item.locator('li[data-userid="kf_s2004"] [data-testid="account-fill"]').textContent()).toMatch(/客户 \d+ \/ 5,000/);

    await item.locator('button[data-action="reject"]').click();
    expect(await page.locator('wss-review-queue [data-testid="reject-consequence"]').textContent()).toContain('门店 S2004 将退回给分公司，入口保持隐藏');
    expect(await page.locator('wss-review-queue button[data-action="confirm-reject"]').isDisabled()).toBe(true);
    await page.fill('wss-review-queue textarea[data-field="reject-reason"]', '请同时绑定备用账号');
    await page.locator('wss-review-queue button[data-action="confirm-reject"]').click();
    await expect.poll(() => page.locator('wss-review-queue [data-testid="decision-results"] li[data-store-id="S2004"]').getAttribute('data-outcome')).toBe('rejected');
    await expect.poll(() => page.locator('[data-testid="nav-count"]').isHidden()).toBe(true);

    // The branch's robot hears of the return.
    const south = await robotTexts(SOUTH_ROBOT);
    expect(south).toHaveLength(1);
    expect(south[0]).toContain('退回：S2004');
    expect(south[0]).toContain('请同时绑定备用账号');
    await page.close();
  });

  it('the branch admin sees the reason among its returned stores and on the store, changes the binding, and it is resubmitted', async () => {
    const page = await signIn('admin-br-south', '/admin/reviews');
    await page.locator('wss-review-queue button[data-tab="returned"]').click();
    await expect.poll(() => card(page, 'S2004').locator('[data-testid="return-reason"]').textContent()).toContain('请同时绑定备用账号');

    await page.goto(`${demo.url}/admin/stores`);
    await search(page, 'S2004');
    expect(await row(page, 'S2004').locator('td[data-col="entry"]').textContent()).toContain('审核未通过：请同时绑定备用账号');
    await row(page, 'S2004').locator('button[data-action="bind"]').click();
    expect(await page.locator('wss-binding-dialog [data-testid="returned"]').textContent()).toContain('请同时绑定备用账号');
    await page.fill('wss-binding-dialog input[data-field="userid"]', 'kf_s2004_b');
    await expect.poll(() => page.locator('wss-binding-dialog [data-testid="check"]').textContent()).toContain('✓');
    await page.locator('wss-binding-dialog button[data-action="save"]').click();
    await expect.poll(() => row(page, 'S2004').locator('td[data-col="entry"]').textContent()).toContain('待中央企微运营审核');
    await page.close();
  });

  it('HQ approves the changed binding against what it returned, and the entry is shown', async () => {
    const page = await signIn('hq-ops', '/admin/reviews');
    const item = card(page, 'S2004');
    await item.waitFor();
    expect(await item.locator('tr[data-role="backups"]').getAttribute('class')).toBe('changed');
    expect(await item.locator('tr[data-role="backups"] td.new').textContent()).toContain('kf_s2004_b');
    await item.locator('button[data-action="approve"]').click();
    await expect.poll(() => page.locator('wss-review-queue [data-testid="decision-results"] li[data-store-id="S2004"]').getAttribute('data-outcome')).toBe('approved');
    const entry = await fetch(`${demo.url}${demo.service.config.routesPrefix}/public/entry/S2004`).then((r) => r.json());
    expect(entry).toMatchObject({ visible: true });
    expect((await robotTexts(SOUTH_ROBOT)).at(-1)).toContain('通过：S2004');
    await page.close();
  });

  it('bulk show shows the eligible stores and lists the others with their reason; bulk hide says what it will do', async () => {
    const hq = { 'X-Demo-Actor': 'hq-ops', 'Content-Type': 'application/json' };
    const bound = await fetch(`${demo.url}${demo.service.config.routesPrefix}/stores/S2006/bindings`, { method: 'POST', headers: hq, body: JSON.stringify({ userid: 'kf_s2006', confirm: true }) });
    expect(bound.status).toBe(200);
    const page = await signIn('hq-ops');
    await search(page, 'S200', 9);
    for (const id of ['S2005', 'S2006', 'S2004']) await row(page, id).locator('input[type="checkbox"]').check();
    await page.fill(`${admin} input[data-filter="q"]`, 'S201');
    await expect.poll(() => page.locator(`${admin} tbody tr[data-store-id]`).count()).toBe(3);
    // Selection is per page: the closed S2012 alone on this page.
    await row(page, 'S2012').locator('input[type="checkbox"]').check();
    await page.locator(`${admin} button[data-action="show"]`).click();
    const report = page.locator(`${admin} [data-testid="bulk-report"]`);
    await report.waitFor();
    expect(await report.locator('li[data-store-id="S2012"]').getAttribute('data-outcome')).toBe('skipped');
    expect(await report.locator('li[data-store-id="S2012"]').textContent()).toContain('门店已关店');
    await page.locator(`${admin} button[data-action="close-report"]`).click();

    await search(page, 'S200', 9);
    for (const id of ['S2005', 'S2006', 'S2004']) await row(page, id).locator('input[type="checkbox"]').check();
    await page.locator(`${admin} button[data-action="show"]`).click();
    await report.waitFor();
    expect(await report.locator('li').evaluateAll((lis) => lis.map((li) => `${li.getAttribute('data-store-id')}:${li.getAttribute('data-outcome')}`))).toEqual(['S2006:shown', 'S2005:skipped']);
    expect(await report.textContent()).toContain('1 家原已展示');
    expect(await report.locator('li[data-store-id="S2005"]').textContent()).toContain('没有可用的企微账号');
    expect(await report.locator('li.shown').evaluate((li) => getComputedStyle(li).color)).not.toBe(await report.locator('li.skipped').evaluate((li) => getComputedStyle(li).color));
    await expect.poll(() => row(page, 'S2006').locator('td[data-col="entry"]').textContent()).toContain('已展示');

    await row(page, 'S2006').locator('input[type="checkbox"]').check();
    await page.locator(`${admin} button[data-action="hide"]`).click();
    const confirm = page.locator('wss-binding-admin wss-confirm-dialog');
    expect(await confirm.locator('[data-testid="confirm-message"]').textContent()).toContain('门店 S2006 的入口将立即隐藏');
    await confirm.locator('button[data-action="cancel"]').click();
    expect(await row(page, 'S2006').locator('td[data-col="entry"]').textContent()).toContain('已展示');
    await page.locator(`${admin} button[data-action="hide"]`).click();
    await confirm.locator('button[data-action="confirm"]').click();
    await expect.poll(() => row(page, 'S2006').locator('td[data-col="entry"]').textContent()).toContain('已隐藏');
    await page.close();
  });

  it('unbinding the primary says the entry will hide; cancelling changes nothing', async () => {
    const page = await signIn('admin-br-south');
    await search(page, 'S2006');
    await row(page, 'S2006').locator('button[data-action="bind"]').click();
    await page.locator('wss-binding-dialog li[data-userid="kf_s2006"] button[data-action="unbind"]').click();
    const confirm = page.locator('wss-binding-admin wss-confirm-dialog');
    expect(await confirm.locator('[data-testid="confirm-message"]').textContent()).toContain('门店 S2006 的入口将立即隐藏');
    await confirm.locator('button[data-action="cancel"]').click();
    expect(await demo.db('wss_store_accounts').where('store_id', 'S2006').whereNull('ended_at').count({ n: '*' })).toEqual([{ n: '1' }]);
    await page.close();
  });

  it('the operation log lists who did what with names and labels, filters by action, and exports', async () => {
    const page = await signIn('hq-ops', '/admin/operation-log');
    const log = page.locator('wss-operation-log');
    await log.locator('tbody tr[data-id]').first().waitFor();
    await log.locator('select[data-filter="action"]').selectOption('review.reject');
    await expect.poll(() => log.locator('tbody tr[data-id]').count()).toBe(1);
    const line = log.locator('tbody tr[data-id]');
    expect(await line.locator('td[data-col="actor"]').textContent()).toBe(HQ_NAME);
    expect(await line.locator('td[data-col="action"]').textContent()).toBe('审核退回');
    expect(await line.textContent()).toContain('S2004');
    expect(await line.textContent()).toContain('请同时绑定备用账号');
    const href = await log.locator('a[data-action="export-xlsx"]').getAttribute('href');
    expect(href).toContain('action=review.reject');
    const status = await page.evaluate(async (url) => (await fetch(url!)).status, href);
    expect(status).toBe(200);
    await page.close();
  });
});
