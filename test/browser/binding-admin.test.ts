import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createBrowserDemo } from '../support/browser-demo.js';
import type { DemoEnvironment } from '../../demo/environment.js';

let demo: DemoEnvironment;
let browser: Browser;

const session = createBrowserDemo();
beforeAll(async () => {
  ({ demo, browser } = await session.start());
});
afterAll(() => session.stop());

const admin = 'wss-binding-admin';
const row = (page: Page, storeId: string) => page.locator(`${admin} tbody tr[data-store-id="${storeId}"]`);

async function signIn(as: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${demo.url}/sign-in?as=${as}`);
  await page.locator(`${admin} tbody tr[data-store-id]`).first().waitFor();
  return page;
}

async function search(page: Page, q: string) {
  await page.fill(`${admin} input[data-filter="q"]`, q);
  await expect.poll(() => page.locator(`${admin} tbody tr[data-store-id]`).count()).toBe(1);
}

describe('binding admin in a real browser', () => {
  it('lets a branch admin bind a store with live userid validation; the entry stays hidden', async () => {
    const page = await signIn('admin-br-south');
    // A branch admin may not toggle entries: no selection, no show/hide controls.
    expect(await page.locator(`${admin} input[type="checkbox"]`).count()).toBe(0);
    expect(await page.locator(`${admin} button[data-action="show"]`).count()).toBe(0);

    await search(page, 'S2003');
    await row(page, 'S2003').locator('button[data-action="bind"]').click();
    const dialog = page.locator('wss-binding-dialog dialog');
    await dialog.waitFor();
    await page.fill('wss-binding-dialog input[data-field="userid"]', 'kf_left');
    await expect.poll(() => page.locator('wss-binding-dialog [data-testid="check"]').textContent()).toContain('已离职');
    expect(await page.locator('wss-binding-dialog button[data-action="save"]').isDisabled()).toBe(true);
    // kf_s2003 already has 4,310 customers in WeCom (86 % of 5,000): counted now, it needs a confirmation.
    await page.fill('wss-binding-dialog input[data-field="userid"]', 'kf_s2003');
    await expect.poll(() => page.locator('wss-binding-dialog [data-testid="check"]').textContent()).toContain('✓');
    expect(await page.locator('wss-binding-dialog [data-testid="fill"]').textContent()).toBe('客户 4,310 / 5,000（86.2%）');
    expect(await page.locator('wss-binding-dialog button[data-action="save"]').isDisabled()).toBe(true);
    await page.locator('wss-binding-dialog input[data-field="confirm-capacity"]').check();
    await page.locator('wss-binding-dialog button[data-action="save"]').click();

    await expect.poll(() => row(page, 'S2003').locator('td[data-col="account"]').textContent()).toContain('kf_s2003');
    expect(await demo.db('wss_wecom_accounts').where('userid', 'kf_s2003').first('customer_count')).toEqual({ customer_count: 4310 });
    expect(await row(page, 'S2003').locator('td[data-col="entry"]').textContent()).toContain('已隐藏');
    expect(await row(page, 'S2003').locator('td[data-col="entry"]').textContent()).toContain('待中央企微运营审核');

    // The server refuses toggling too, whatever the page shows.
    const status = await page.evaluate(async () => {
      const res = await fetch('/plugins/wecom-store-service/entries/visibility', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ storeIds: ['S2003'], visible: true }),
      });
      return res.status;
    });
    expect(status).toBe(403);
    await page.close();
  });

  it('lets HQ select the store and show its entry; the history drawer lists what happened', async () => {
    const page = await signIn('hq-ops');
    await search(page, 'S2003');
    await row(page, 'S2003').locator('input[type="checkbox"]').check();
    await expect.poll(() => page.locator(`${admin} [data-testid="selected"]`).textContent()).toContain('已选 1 家门店');
    await page.fill(`${admin} input[data-field="bulk-reason"]`, '审核通过');
    await page.locator(`${admin} button[data-action="show"]`).click();
    await expect.poll(() => row(page, 'S2003').locator('td[data-col="entry"]').textContent()).toContain('已展示');

    await row(page, 'S2003').locator('button[data-action="history"]').click();
    const audit = page.locator('wss-binding-history [data-testid="history-audit"] li');
    await expect.poll(() => audit.count()).toBeGreaterThanOrEqual(2);
    const actions = await audit.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-action')));
    expect(actions).toEqual(expect.arrayContaining(['entry.show', 'binding.bind']));
    expect(await page.locator('wss-binding-history [data-testid="history-bindings"] tbody tr').count()).toBe(1);
    await page.close();
  });

  it('runs the import wizard end to end: upload, dry-run report, commit with progress', async () => {
    const page = await signIn('admin-br-south');
    await page.locator(`${admin} button[data-action="import"]`).click();
    const file = (lines: string[]) => ({ name: 'bindings.csv', mimeType: 'text/csv', buffer: Buffer.from('门店编号,企微账号,角色(主账号/备用)\n' + lines.join('\n')) });

    // A file with a bad row: the report names the row and commit stays disabled.
    await page.setInputFiles('wss-binding-import input[data-field="file"]', file(['S2004,kf_s2004,主账号', 'S1001,kf_s1001,主账号']));
    await expect.poll(() => page.locator('wss-binding-import [data-testid="summary"]').textContent()).toContain('错误 1 行');
    expect(await page.locator('wss-binding-import tr[data-row="3"]').textContent()).toContain('不在您的分公司或不存在');
    expect(await page.locator('wss-binding-import button[data-action="commit"]').isDisabled()).toBe(true);

    await page.locator('wss-binding-import button', { hasText: '重新上传' }).click();
    await page.setInputFiles('wss-binding-import input[data-field="file"]', file(['S2004,kf_s2004,主账号', 'S2004,kf_s2004_b,备用', 'S2005,kf_s2005,']));
    await expect.poll(() => page.locator('wss-binding-import [data-testid="summary"]').textContent()).toContain('可导入 3 行，错误 0 行');
    await page.locator('wss-binding-import button[data-action="commit"]').click();
    await page.locator('wss-binding-import [data-testid="import-done"]').waitFor();
    await page.locator('wss-binding-import button', { hasText: '关闭' }).click();

    await search(page, 'S2004');
    await expect.poll(() => row(page, 'S2004').locator('td[data-col="account"]').textContent()).toContain('kf_s2004');
    const bindings = await demo.db('wss_store_accounts as sa').join('wss_wecom_accounts as a', 'a.id', 'sa.account_id')
      .whereIn('sa.store_id', ['S2004', 'S2005']).whereNull('sa.ended_at').orderBy('a.userid').pluck('a.userid');
    expect(bindings).toEqual(['kf_s2004', 'kf_s2004_b', 'kf_s2005']);
    await page.close();
  });
});
