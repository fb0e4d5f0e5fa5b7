import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createBrowserDemo } from '../support/browser-demo.js';
import type { DemoEnvironment } from '../../demo/environment.js';

let demo: DemoEnvironment;
let browser: Browser;

const session = createBrowserDemo();
beforeAll(async () => {
  ({ demo, browser } = await session.start({ seedCapacityDemo: true }));
});
afterAll(() => session.stop());

describe('<wss-capacity-panel> in the demo CRM', () => {
  it('shows HQ the accounts by fill with forecasts, edits a limit, sends a test message and shows failures', async () => {
    const page = await browser.newPage();
    await page.goto(`${demo.url}/sign-in?as=hq-ops`);
    await page.goto(`${demo.url}/admin/capacity`);
    const rows = page.locator('wss-capacity-panel tbody tr[data-account]');
    await rows.first().waitFor();
    const order = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-account')));
    expect(order.slice(0, 3)).toEqual(['kf_s1001', 'kf_s2001', 'kf_s1002']);
    // 96 % with 40 adds a day over the week: a forecast to full, and failover to the backup.
    const first = page.locator('wss-capacity-panel tr[data-account="kf_s1001"]');
    expect(await first.locator('td[data-col="percent"]').textContent()).toContain('96%');
    expect(await first.locator('td[data-col="forecast"]').textContent()).toMatch(/天后满员/);
    expect(await first.textContent()).toContain('新客户转备用账号');
    expect(await page.locator('wss-capacity-panel dd[data-rule="thresholds"]').textContent()).toBe('70% / 85% / 95%');

    // HQ raises the limit; the row's fill follows.
    const input = first.locator('input[type="number"]');
    await input.fill('6000');
    await input.press('Enter');
    await page.locator('wss-capacity-panel tr[data-account="kf_s1001"] td[data-col="count"]', { hasText: '/ 6,000' }).waitFor();
    expect(await page.locator('wss-capacity-panel tr[data-account="kf_s1001"] td[data-col="percent"]').textContent()).toContain('48%');

    // A test message through the signed DingTalk robot reaches the simulator.
    await page.locator('wss-capacity-panel tr[data-robot="east-ding"] button').click();
    // The outcome shows beside the button that caused it, styled as a success.
    const notice = page.locator('wss-capacity-panel tr[data-robot="east-ding"] p[role="status"]', { hasText: '已发送' });
    await notice.waitFor();
    expect(await notice.getAttribute('class')).toContain('success');
    expect(demo.simulator.state.robotMessages.some((m) => m.kind === 'dingtalk' && m.content.startsWith('【测试消息】'))).toBe(true);

    // A warning that failed for good is visible in the log.
    await demo.db('wss_alert_outbox').insert({ idempotency_key: 'demo-failed', kind: 'capacity_threshold', channel: 'wecom', robot_id: 'hq-ops', payload: { text: '失败的预警' }, status: 'failed', attempts: 8, last_error: '93000 invalid webhook url', branch_id: 'BR-EAST' });
    await page.reload();
    await page.locator('wss-capacity-panel [data-failed-count]').waitFor();
    await page.locator('wss-capacity-panel input[type="checkbox"]').check();
    const failed = page.locator('wss-capacity-panel tr[data-delivery][data-status="failed"]');
    await failed.first().waitFor();
    expect(await failed.first().textContent()).toContain('93000');
    // The filtered list replaces the full one (which holds the failed row too): wait for it.
    await expect.poll(() => page.locator('wss-capacity-panel tr[data-delivery][data-status="sent"]').count()).toBe(0);
    // Labels, not codes: the kind and the robot by name.
    expect(await failed.first().locator('td.title').textContent()).toContain('容量预警');
    expect(await failed.first().textContent()).toContain('总部企微运营群');
    expect(await failed.first().textContent()).not.toContain('capacity_threshold');
  });

  it('pages the accounts, searches them, filters by branch and keeps the filters in the URL', async () => {
    const page = await browser.newPage();
    await page.goto(`${demo.url}/sign-in?as=hq-ops`);
    await page.goto(`${demo.url}/admin/capacity`);
    const rows = page.locator('wss-capacity-panel tbody tr[data-account]');
    await rows.first().waitFor();
    const all = await rows.count();
    expect(all).toBeGreaterThan(5);
    // Five a page: the first five of the same order, and a second page.
    await page.locator('wss-capacity-panel').evaluate((el) => ((el as HTMLElement & { pageSize: number }).pageSize = 5));
    await page.locator('wss-capacity-panel .bands button').first().click();
    await expect.poll(() => rows.count()).toBe(5);
    // A forecast beyond 90 days is no forecast.
    expect(await page.locator('wss-capacity-panel td[data-col="forecast"]').evaluateAll((tds) => tds.every((td) => !/(\d{3,}) 天后/.test(td.textContent ?? '')))).toBe(true);
    await page.locator('wss-capacity-panel button[data-action="next"]').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('page')).toBe('2');

    await page.fill('wss-capacity-panel input[data-filter="q"]', 'kf_s2001');
    await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-account')))).toEqual(expect.arrayContaining(['kf_s2001']));
    const found = await rows.count();
    expect(await rows.evaluateAll((trs) => trs.every((tr) => tr.getAttribute('data-account')!.startsWith('kf_s2001')))).toBe(true);
    expect(new URL(page.url()).searchParams.get('page')).toBeNull();
    await page.reload();
    await expect.poll(() => rows.count()).toBe(found);
    expect(await page.locator('wss-capacity-panel input[data-filter="q"]').inputValue()).toBe('kf_s2001');

    await page.fill('wss-capacity-panel input[data-filter="q"]', '');
    await page.selectOption('wss-capacity-panel select[data-filter="branch"]', 'BR-SOUTH');
    await expect.poll(() => new URL(page.url()).searchParams.get('branch')).toBe('BR-SOUTH');
    await expect.poll(() => rows.evaluateAll((trs) => trs.length > 0 && trs.every((tr) => tr.getAttribute('data-account')!.startsWith('kf_s2')))).toBe(true);
    await page.fill('wss-capacity-panel input[data-filter="q"]', 'nobody-like-this');
    await page.locator('wss-capacity-panel td.empty', { hasText: '没有符合条件的账号' }).waitFor();
  });

  it('gives a branch admin their own accounts, read-only, and hides HQ actions', async () => {
    const page = await browser.newPage();
    await page.goto(`${demo.url}/sign-in?as=admin-br-south`);
    await page.goto(`${demo.url}/admin/capacity`);
    const rows = page.locator('wss-capacity-panel tbody tr[data-account]');
    await rows.first().waitFor();
    const shown = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-account')));
    expect(shown.every((u) => u!.startsWith('kf_s2'))).toBe(true);
    expect(await page.locator('wss-capacity-panel input[type="number"]').count()).toBe(0);
    await page.locator('wss-capacity-panel tr[data-robot]').first().waitFor();
    expect(await page.locator('wss-capacity-panel tr[data-robot] button').count()).toBe(0);
    expect(await page.locator('wss-capacity-panel tr[data-robot]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-robot')))).toEqual(['hq-ops', 'south-lark']);
  });
});
