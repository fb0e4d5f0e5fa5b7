import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createBrowserDemo } from '../support/browser-demo.js';
import type { DemoEnvironment } from '../../demo/environment.js';
import { bindPrimary, setVisible } from '../entry/fixtures.js';

let demo: DemoEnvironment;
let browser: Browser;

const session = createBrowserDemo();
beforeAll(async () => {
  ({ demo, browser } = await session.start());
  // HQ has bound S1001 to its service account and shown the entry; S1002 stays hidden.
  await bindPrimary(demo.db, 'S1001', 'kf_s1001', '王晓燕');
  await setVisible(demo.db, 'S1001', true);
  expect((await demo.service.services.customerPath.refillPool()).created).toBe(2);
});
afterAll(() => session.stop());

const events = (where: Record<string, unknown>) => demo.db('wss_tracking_events').where(where).orderBy('id');
const orderPage = (page: Page, store: string, order: string, visitor: string) =>
  page.goto(`${demo.url}/shop/order-result?store=${store}&order=${order}&visitor=${visitor}`);

describe('customer path in a real browser', () => {
  it('shows no entry for a hidden store, but records the order-result view', async () => {
    const page = await browser.newPage();
    await orderPage(page, 'S1002', 'O-HIDDEN', 'visitor-hidden');
    await expect.poll(async () => (await events({ visitor_id: 'visitor-hidden' })).length, { timeout: 5000 }).toBe(1);
    expect(await page.locator('[data-testid="store-entry"]').count()).toBe(0);
    expect(await page.locator('wss-store-entry').getAttribute('hidden')).toBe('');
    const [view] = await events({ visitor_id: 'visitor-hidden' });
    expect(view).toMatchObject({ type: 'order_result_view', store_id: 'S1002', order_id: 'O-HIDDEN', client_type: 'h5' });
    expect(view.props).toEqual({ entryVisible: false });
    await page.close();
  });

  it('entry → guide → add click → failed jump keeps the fallback → the customer adds via the QR → the add is attributed to that visit', async () => {
    const page = await browser.newPage();
    await orderPage(page, 'S1001', 'O-1001', 'visitor-a');
    await page.click('[data-testid="store-entry"]');
    await page.waitForURL(/\/public\/guide\?/);
    expect(page.url()).toContain('store=S1001');
    expect(page.url()).toContain('order=O-1001');
    await expect.poll(() => page.locator('[data-testid="store-name"]').textContent()).toBe('上海中心店');
    const card = page.locator('wss-add-guide [data-guide-visit]');
    const guideVisitId = (await card.getAttribute('data-guide-visit'))!;
    expect(guideVisitId).toMatch(/^gv_/);

    await page.click('[data-testid="open-wechat"]');
    // No WeChat here: after 2.5 s the page is still visible → failed, fallback with retry and QR.
    await page.locator('[data-testid="jump-failed"]').waitFor({ timeout: 6000 });
    expect(await page.locator('[data-testid="open-wechat"]').textContent()).toContain('重新打开微信');
    const qr = page.locator('[data-testid="qr"] img');
    expect(await qr.isVisible()).toBe(true);

    await expect
      .poll(async () => (await events({ visitor_id: 'visitor-a' })).map((e) => `${e.type}${e.outcome ? `:${e.outcome}` : ''}`), { timeout: 5000 })
      .toEqual(['order_result_view', 'entry_click', 'guide_view', 'add_click', 'jump_result:failed']);
    const withVisit = await events({ visitor_id: 'visitor-a', guide_visit_id: guideVisitId });
    expect(withVisit.map((e) => e.type)).toEqual(['guide_view', 'add_click', 'jump_result']);

    // The customer long-presses the QR: it opens the simulator's add page for that contact way.
    const src = (await qr.getAttribute('src'))!;
    const configId = src.match(/\/sim\/qr\/([^/.]+)\.png$/)![1];
    const phone = await browser.newPage();
    await phone.goto(`${demo.simulator.url}/sim/add/${configId}`);
    expect(await phone.textContent('h1')).toContain('王晓燕');
    await phone.click('#add');
    await expect.poll(() => phone.textContent('#add')).toBe('已添加');
    // (The demo seeds historical metrics events, so look for adds of this visit.)
    await expect.poll(async () => (await events({ type: 'confirmed_add', guide_visit_id: guideVisitId })).length, { timeout: 10_000 }).toBe(1);
    const [confirmed] = await events({ type: 'confirmed_add', guide_visit_id: guideVisitId });
    expect(confirmed).toMatchObject({ store_id: 'S1001', guide_visit_id: guideVisitId, visitor_id: 'visitor-a', order_id: 'O-1001' });
    expect(confirmed.props.via).toBe('pool');
    // Back on the guide, the page says the add is done instead of asking again, also after a reload.
    await page.locator('wss-add-guide').evaluate((el) => (el as HTMLElement & { recheck(): Promise<void> }).recheck());
    await page.locator('wss-add-guide [data-testid="added"]').waitFor();
    expect(await page.locator('wss-add-guide [data-testid="added"]').textContent()).toContain('已添加门店专属客服');
    await page.reload();
    await page.locator('wss-add-guide [data-testid="added"]').waitFor();
    expect(await page.locator('[data-testid="open-wechat"]').count()).toBe(0);
    await phone.close();
    await page.close();
  }, 60_000);

  it('counts the jump as ok when WeChat takes over (the page is hidden) and shows no fallback', async () => {
    const page = await browser.newPage();
    await page.goto(`${demo.url}/plugins/wecom-store-service/public/guide?store=S1001&visitor=visitor-b&client=app`);
    await page.locator('[data-testid="open-wechat"]').waitFor();
    await page.click('[data-testid="open-wechat"]');
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await expect.poll(async () => (await events({ visitor_id: 'visitor-b', type: 'jump_result' })).map((e) => e.outcome), { timeout: 5000 }).toEqual(['ok']);
    await page.waitForTimeout(3000);
    expect(await page.locator('[data-testid="jump-failed"]').count()).toBe(0);
    await page.close();
  });

  it('hides the entry on the next load once HQ toggles the store off', async () => {
    const page = await browser.newPage();
    await orderPage(page, 'S1001', 'O-2', 'visitor-c');
    await page.locator('[data-testid="store-entry"]').waitFor();
    await setVisible(demo.db, 'S1001', false);
    await orderPage(page, 'S1001', 'O-3', 'visitor-c');
    await expect.poll(async () => (await events({ visitor_id: 'visitor-c', order_id: 'O-3' })).length, { timeout: 5000 }).toBe(1);
    expect(await page.locator('[data-testid="store-entry"]').count()).toBe(0);
    await page.close();
  });
});
