import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createBrowserDemo } from '../support/browser-demo.js';
import type { DemoEnvironment } from '../../demo/environment.js';
import { bindPrimary, setVisible } from '../entry/fixtures.js';

// The guide in acquisition-link mode on a phone: one tap opens the advisor's profile (the
// simulator's link page), the customer adds, and the add is attributed to the visit through
// customer_channel. Screenshots land in <tmpdir>/wss-screenshots/acquisition for a person to look at.
let demo: DemoEnvironment;
let browser: Browser;
const SHOTS = join(tmpdir(), 'wss-screenshots', 'acquisition');

const session = createBrowserDemo();
beforeAll(async () => {
  ({ demo, browser } = await session.start());
  mkdirSync(SHOTS, { recursive: true });
  await bindPrimary(demo.db, 'S1001', 'kf_s1001', '王晓燕');
  await setVisible(demo.db, 'S1001', true);
  await demo.service.services.customerPath.refillPool();
  await fetch(`${demo.simulator.url}/sim/acquisition/quota`, { method: 'PUT', body: JSON.stringify({ packages: [{ amount: 100, expireInDays: 90 }] }) });
  const res = await fetch(`${demo.url}${demo.service.config.routesPrefix}/acquisition/guide-mode`, {
    method: 'PUT',
    headers: { 'X-Demo-Actor': 'hq-ops', 'Content-Type': 'application/json' },
    body: JSON.stringify({ storeIds: ['S1001'], mode: 'link' }),
  });
  expect(res.status).toBe(200);
  await demo.service.services.acquisition.idle();
  await demo.service.services.acquisition.syncQuota();
});
afterAll(() => session.stop());

describe('guide in link mode, 390 px', () => {
  it('one tap opens the advisor profile; the add there is attributed to the visit', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${demo.url}${demo.service.config.routesPrefix}/public/guide?store=S1001&visitor=visitor-link&client=h5`);
    const button = page.locator('[data-testid="open-link"]');
    await button.waitFor({ timeout: 10_000 });
    expect(await button.textContent()).toContain('添加门店专属客服');
    expect(await page.locator('[data-testid="open-wechat"]').count()).toBe(0);
    expect(await page.locator('[data-testid="qr"] img').isVisible()).toBe(true);
    const box = (await button.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${SHOTS}/guide-link-390.png`, fullPage: true });
    const guideVisitId = (await page.locator('wss-add-guide [data-guide-visit]').getAttribute('data-guide-visit'))!;

    await button.click();
    await page.waitForURL(/\/sim\/ca\/cawcde/);
    expect(page.url()).toContain('customer_channel=wss%3Av%3A');
    expect(await page.textContent('h1')).toContain('王晓燕');
    await page.click('#add');
    await expect.poll(() => page.textContent('#add')).toBe('已添加');
    await page.screenshot({ path: `${SHOTS}/link-profile-390.png` });

    await expect
      .poll(async () => (await demo.db('wss_tracking_events').where({ type: 'confirmed_add', guide_visit_id: guideVisitId })).length, { timeout: 10_000 })
      .toBe(1);
    const clicks = await demo.db('wss_tracking_events').where({ type: 'add_click', guide_visit_id: guideVisitId });
    expect(clicks.map((c) => c.props)).toEqual([{ via: 'link' }]);
    await page.close();
  });
});
