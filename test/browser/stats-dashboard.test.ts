import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestDatabase } from '../support/db.js';
import { createBrowserDemo } from '../support/browser-demo.js';
import type { DemoEnvironment } from '../../demo/environment.js';
import { addDays, todayIn } from '../../plugin/core/days.js';

let db: TestDatabase;
let demo: DemoEnvironment;
let browser: Browser;
const STAGES = { orderResultVisitors: 'order_result_view', entryClickers: 'entry_click', guideVisitors: 'guide_view', addClickers: 'add_click' };

const session = createBrowserDemo();
beforeAll(async () => {
  ({ demo, browser, db } = await session.start());
});
afterAll(() => session.stop());

/** Distinct people per stage straight from the raw events (not the rollups). */
async function rawFunnel(from: string, to: string, branchId?: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [key, type] of Object.entries(STAGES)) {
    const query = db.knex('wss_tracking_events as e')
      .join('wss_stores as s', 's.id', 'e.store_id')
      .where('e.type', type)
      .whereBetween('e.day', [from, to])
      .countDistinct({ n: db.knex.raw(type === 'confirmed_add' ? "e.props->>'externalUserid'" : 'e.visitor_id') });
    if (branchId) query.where('s.branch_id', branchId);
    const [{ n }] = await query;
    out[key] = Number(n);
  }
  // The funnel's last step: guide viewers whose guide visit received a confirmed add.
  const guideAdds = db.knex('wss_tracking_events as e')
    .join('wss_stores as s', 's.id', 'e.store_id')
    .where('e.type', 'guide_view')
    .whereBetween('e.day', [from, to])
    .whereExists(db.knex('wss_tracking_events as a').whereRaw('a.guide_visit_id = e.guide_visit_id').where('a.type', 'confirmed_add'))
    .countDistinct({ n: 'e.visitor_id' });
  if (branchId) guideAdds.where('s.branch_id', branchId);
  out.guideAdds = Number((await guideAdds)[0].n);
  return out;
}

const STAGE_LABELS = ['下单结果页访客', '点击入口', '引导页访客', '点击添加', '引导后已添加'];

/** The funnel as a person reads it: each step's ECharts tooltip (inside the element's shadow root). */
async function shownFunnel(page: Page): Promise<Record<string, number>> {
  const chart = page.locator('wss-stats-dashboard wss-chart[data-chart="funnel"]');
  await chart.waitFor();
  const tip = chart.locator('b[data-count]');
  const out: Record<string, number> = {};
  for (const [i, key] of [...Object.keys(STAGES), 'guideAdds'].entries()) {
    await chart.evaluate((el, index) => (el as HTMLElement & { showTip(s: number, d: number): void }).showTip(0, index), i);
    await expect.poll(async () => (await tip.locator('xpath=..').textContent())?.startsWith(`${STAGE_LABELS[i]}：`)).toBe(true);
    const shown = (await tip.textContent())!;
    expect(shown).toMatch(/^\d{1,3}(,\d{3})*$/);
    out[key] = Number(shown.replace(/,/g, ''));
  }
  return out;
}

const chartOption = (page: Page, name: string) =>
  page.locator(`wss-stats-dashboard wss-chart[data-chart="${name}"]`).evaluate((el) => (el as HTMLElement & { option: { yAxis?: { data: string[] }; series: unknown[] } }).option);

describe('<wss-stats-dashboard> in the demo CRM', () => {
  const to = todayIn('Asia/Shanghai');
  const from = addDays(to, -29);

  it('shows HQ the funnel of the last 30 days, exactly as counted from the raw events, with the distinct rule spelled out', async () => {
    const page = await browser.newPage();
    await page.goto(`${demo.url}/sign-in?as=hq-ops`);
    await page.goto(`${demo.url}/admin/stats`);
    const expected = await rawFunnel(from, to);
    expect(expected.orderResultVisitors).toBeGreaterThan(1000);
    expect(await shownFunnel(page)).toEqual(expected);
    expect(await page.locator('wss-stats-dashboard [data-testid="distinct-note"]').textContent()).toContain('只计一次');
    // Binding rate by branch: one bar per branch, and the funnel has a text summary for screen readers.
    expect((await chartOption(page, 'branches')).yAxis!.data).toHaveLength(4);
    expect(await page.locator('wss-stats-dashboard wss-chart[data-chart="funnel"]').evaluate((el) => (el as HTMLElement & { label: string }).label)).toContain('下单结果页访客');
    expect((await chartOption(page, 'trend')).series).toHaveLength(3);
    const addRate = await page.locator('wss-stats-dashboard [data-kpi="addRate"] .kpi-value').textContent();
    expect(addRate).toBe(`${((expected.guideAdds / expected.guideVisitors) * 100).toFixed(1)}%`);

    // A preset and the filters are kept in the URL: a reload shows the same period.
    await page.locator('wss-stats-dashboard button[data-preset="7d"]').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('from')).toBe(addDays(to, -6));
    await page.reload();
    expect(await page.locator('wss-stats-dashboard button[data-preset="7d"]').getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => shownFunnel(page)).toEqual(await rawFunnel(addDays(to, -6), to));
    await page.locator('wss-stats-dashboard button[data-preset="30d"]').click();

    // Filters: a branch and a single day.
    await page.selectOption('wss-stats-dashboard select[data-filter="branch"]', 'BR-WEST');
    const west = await rawFunnel(from, to, 'BR-WEST');
    await expect.poll(() => shownFunnel(page)).toEqual(west);
    const day = addDays(to, -3);
    await page.fill('wss-stats-dashboard input[data-filter="from"]', day);
    await page.locator('wss-stats-dashboard input[data-filter="from"]').dispatchEvent('change');
    await page.fill('wss-stats-dashboard input[data-filter="to"]', day);
    await page.locator('wss-stats-dashboard input[data-filter="to"]').dispatchEvent('change');
    await expect.poll(() => shownFunnel(page)).toEqual(await rawFunnel(day, day, 'BR-WEST'));

    // The export link carries the same filters and downloads a workbook.
    const href = await page.locator('wss-stats-dashboard a[data-export="xlsx"]').getAttribute('href');
    expect(href).toContain(`from=${day}`);
    expect(href).toContain('branchId=BR-WEST');
    const response = await page.request.get(`${demo.url}${href}`);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('spreadsheetml');
    expect((await response.body()).subarray(0, 2).toString()).toBe('PK');
    await page.close();
  });

  it('gives a read-only viewer their own branch, no branch picker and no export', async () => {
    const page = await browser.newPage();
    await page.goto(`${demo.url}/sign-in?as=viewer`);
    await page.goto(`${demo.url}/admin/stats`);
    expect(await shownFunnel(page)).toEqual(await rawFunnel(from, to, 'BR-EAST'));
    expect((await chartOption(page, 'branches')).yAxis!.data).toEqual(['华东分公司']);
    expect(await page.locator('wss-stats-dashboard select[data-filter="branch"]').count()).toBe(0);
    expect(await page.locator('wss-stats-dashboard a[data-export]').count()).toBe(0);
    const refused = await page.request.get(`${demo.url}/plugins/wecom-store-service/stats/export.xlsx`);
    expect(refused.status()).toBe(403);
    await page.close();
  });
});
