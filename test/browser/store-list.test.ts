import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createBrowserDemo } from '../support/browser-demo.js';
import type { DemoEnvironment } from '../../demo/environment.js';
import { seedStores } from '../../demo/crm/seed-data.js';

let demo: DemoEnvironment;
let browser: Browser;

const session = createBrowserDemo();
beforeAll(async () => {
  ({ demo, browser } = await session.start());
});
afterAll(() => session.stop());

describe('demo CRM in a real browser', () => {
  it('shows a branch admin exactly the stores of their own branch, with empty binding status', async () => {
    const page = await browser.newPage();
    await page.goto(`${demo.url}/`);
    await page.click('a[data-user="admin-br-south"]');
    await page.waitForURL(/\/admin\/stores$/);
    expect(await page.textContent('[data-testid="current-user"]')).toContain('华南分公司管理员');

    const rows = page.locator('wss-binding-admin tbody tr[data-store-id]');
    await rows.first().waitFor();
    await page.locator('wss-binding-admin select[data-filter="bound"]').waitFor();
    const expected = seedStores().filter((s) => s.branchId === 'BR-SOUTH').map((s) => s.id).sort();
    // Default page size is 20; the branch has 12 stores.
    const shown = (await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-store-id')))).sort();
    expect(shown).toEqual(expected);
    expect(await page.locator('wss-binding-admin td[data-col="account"]').allTextContents()).toEqual(Array(12).fill('未绑定'));
    expect(await page.locator('wss-binding-admin td[data-col="entry"]').allTextContents()).toEqual(Array(12).fill('已隐藏'));
    // A branch admin gets no branch picker: only one branch is in scope.
    expect(await page.locator('wss-binding-admin select[data-filter="branch"]').count()).toBe(0);

    // Search narrows the list.
    await page.fill('wss-binding-admin input[data-filter="q"]', '广州');
    await expect.poll(() => rows.count()).toBe(3);
    await page.close();
  });

  it('gives HQ WeCom operations every branch', async () => {
    const page = await browser.newPage();
    await page.goto(`${demo.url}/sign-in?as=hq-ops`);
    await page.locator('wss-binding-admin select[data-filter="branch"]').waitFor();
    await expect.poll(() => page.locator('wss-binding-admin .muted[aria-live]').textContent()).toContain('共 48 家门店');
    await page.selectOption('wss-binding-admin select[data-filter="branch"]', 'BR-WEST');
    await expect.poll(() => page.locator('wss-binding-admin .muted[aria-live]').textContent()).toContain('共 12 家门店');
    await page.close();
  });
});
