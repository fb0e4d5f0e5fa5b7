import type { Browser } from 'playwright-core';
import { startDemoEnvironment, type DemoEnvironment } from '../../demo/environment.js';
import { buildElements } from '../../web-components/build.js';
import { launchBrowser } from './browser.js';
import { createTestDatabase, type TestDatabase } from './db.js';

type DemoOptions = Omit<Parameters<typeof startDemoEnvironment>[0], 'databaseUrl'>;

/**
 * The demo CRM (with the plugin and the WeCom simulator) on a database of its own, plus chromium:
 * what every browser test starts in beforeAll and stops in afterAll.
 */
export function createBrowserDemo() {
  let db: TestDatabase | undefined;
  let demo: DemoEnvironment | undefined;
  let browser: Browser | undefined;
  return {
    async start(options: DemoOptions = {}): Promise<{ demo: DemoEnvironment; browser: Browser; db: TestDatabase }> {
      await buildElements();
      db = await createTestDatabase({ migrate: false });
      demo = await startDemoEnvironment({ databaseUrl: db.url, ...options });
      browser = await launchBrowser();
      return { demo, browser, db };
    },
    async stop(): Promise<void> {
      await browser?.close();
      await demo?.close();
      await db?.destroy();
    },
  };
}
