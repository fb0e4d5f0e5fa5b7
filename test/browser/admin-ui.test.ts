import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createBrowserDemo } from '../support/browser-demo.js';
import type { DemoEnvironment } from '../../demo/environment.js';

// Every admin page as the people who use it see it: at 390 px (the WeCom workbench on a phone) no
// page is wider than the screen, and at both widths no raw code, enum, id key, English error or UTC
// ISO time is visible (shadow roots included). Both exports write times in the configured zone.
let demo: DemoEnvironment;
let browser: Browser;
const session = createBrowserDemo();

beforeAll(async () => {
  ({ demo, browser } = await session.start({ seedBindingsDemo: true, seedCapacityDemo: true }));
  // The seed leaves stores waiting for review (S1008, S2008, …); deliveries fill the alert log.
  await demo.service.jobs.runNow('alert-delivery');
}, 180_000);
afterAll(() => session.stop());

const PAGES = ['/admin/stores', '/admin/reviews', '/admin/operation-log', '/admin/stats', '/admin/capacity'];
const USERS = ['hq-ops', 'admin-br-south'];

/** Codes people must never read; each is a whole word of the visible text. */
const RAW = [
  'primary', 'backup', 'retired', 'unbound', 'replaced', 'capacity_failover', 'capacity_threshold', 'capacity_full', 'pending_review',
  'review_rejected', 'no_active_account', 'account_disabled', 'store_closed', 'review_digest', 'review_decision', 'rollout_digest',
  'dingtalk', 'feishu', 'wecom', 'east-ding', 'south-lark', 'hq-ops', 'admin-br-[a-z]+', 'BR-[A-Z]+', 'demo-seed',
  'Invalid body', 'Invalid query', 'Failed to fetch', 'undefined', 'NaN', 'null', 'Internal server error',
];
const RAW_WORD = new RegExp(`(?<![\\w-])(${RAW.join('|')})(?![\\w-])`);
const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const SLASHED_DATE = /\d{4}\/\d{1,2}\/\d{1,2}/;

/** The visible text of the page and, separately, of the elements' shadow roots. */
async function visibleText(page: Page): Promise<{ all: string; shadow: string }> {
  return page.evaluate(() => {
    const out: string[] = [];
    const shadow: string[] = [];
    const walk = (root: Document | ShadowRoot) => {
      const texts = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let n = texts.nextNode(); n; n = texts.nextNode()) {
        const parent = n.parentElement;
        if (!parent || parent.closest('style, script')) continue;
        if (parent.tagName !== 'OPTION' && !parent.checkVisibility()) continue;
        const t = n.textContent?.trim();
        if (t) (root instanceof ShadowRoot ? shadow : out).push(t);
      }
      for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot);
    };
    walk(document);
    return { all: [...out, ...shadow].join('\n'), shadow: shadow.join('\n') };
  });
}

async function open(width: number, who: string, path: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'zh-CN', timezoneId: 'America/New_York' });
  const page = await context.newPage();
  await page.goto(`${demo.url}/sign-in?as=${who}`);
  await page.goto(`${demo.url}${path}`);
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(300);
  return page;
}

describe('admin pages at 390 px and 1280 px', () => {
  for (const who of USERS) {
    for (const path of PAGES) {
      it(`${who} ${path}: fits 390 px, shows no raw code or ISO time`, async () => {
        for (const width of [390, 1280]) {
          const page = await open(width, who, path);
          try {
            if (width === 390) expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
            const { all: text, shadow } = await visibleText(page);
            expect(shadow.length).toBeGreaterThan(100);
            expect(text.match(RAW_WORD)?.[0] ?? null).toBeNull();
            expect(text.match(ISO_TIME)?.[0] ?? null).toBeNull();
            expect(text.match(SLASHED_DATE)?.[0] ?? null).toBeNull();
          } finally {
            await page.context().close();
          }
        }
      }, 60_000);
    }
  }

  it('shows times in the configured zone (Asia/Shanghai), not the browser\'s', async () => {
    const page = await open(1280, 'hq-ops', '/admin/operation-log');
    try {
      const latest = await demo.db('wss_audit_log').orderBy('id', 'desc').first('at');
      const expected = new Date(new Date(latest.at).getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
      await expect.poll(() => page.locator('wss-operation-log tbody tr[data-id] td').first().textContent()).toBe(expected);
    } finally {
      await page.context().close();
    }
  });
});

describe('exports', () => {
  const shanghai = (at: Date | string, seconds = false) => new Date(new Date(at).getTime() + 8 * 3_600_000).toISOString().slice(0, seconds ? 19 : 16).replace('T', ' ');
  const get = (path: string) => fetch(`${demo.url}${demo.service.config.routesPrefix}${path}`, { headers: { 'X-Demo-Actor': 'hq-ops' } });

  it('the bindings export has Chinese names, labels and local times, no ISO time and no raw reason', async () => {
    const res = await get('/exports/bindings?format=csv');
    expect(res.status).toBe(200);
    const day = shanghai(new Date()).slice(0, 10);
    expect(res.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent(`门店企微绑定_${day}`)}.csv`);
    const csv = await res.text();
    expect(csv).not.toMatch(ISO_TIME);
    expect(csv).not.toMatch(/\b(pending_review|no_active_account|account_disabled|capacity_full|store_closed|review_rejected)\b/);
    const changed = await demo.db('wss_store_entries').where('store_id', 'S2004').first('changed_at');
    expect(csv.split('\n').find((l) => l.startsWith('S2004,'))).toContain(`,${shanghai(changed.changed_at)},`);
    expect(csv.split('\n').find((l) => l.startsWith('S2008,'))).toContain('绑定已变更，待中央企微运营审核后展示');
  });

  it('the operation log export writes each time in the configured zone', async () => {
    const res = await get('/exports/operation-log?format=csv&storeId=S2004');
    expect(res.status).toBe(200);
    expect(decodeURIComponent(res.headers.get('content-disposition')!)).toContain('操作日志_');
    const csv = await res.text();
    expect(csv).not.toMatch(ISO_TIME);
    const latest = await demo.db('wss_audit_log').where('store_id', 'S2004').orderBy('id', 'desc').first('at');
    expect(csv.split('\n')[1]).toMatch(new RegExp(`^${shanghai(latest.at, true)},`));
  });
});

describe('the customer guide page', () => {
  it('answers a broken link with a friendly zh-CN page, never JSON', async () => {
    for (const query of ['', '?store=', '?store=%3Cscript%3E', '?store=S1001&client=tv']) {
      const res = await fetch(`${demo.url}${demo.service.config.routesPrefix}/public/guide${query}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('text/html');
      const body = await res.text();
      expect(body).toContain('链接无效');
      expect(body).not.toMatch(/"error"|invalid_input|Invalid query/);
      expect(body).not.toContain('<script');
    }
    const en = await (await fetch(`${demo.url}${demo.service.config.routesPrefix}/public/guide?lang=en`)).text();
    expect(en).toContain('This link does not work');
  });
});
