import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startTestPlugin, type TestPlugin } from '../support/plugin-app.js';
import { loadManifest } from '../../plugin/manifest/manifest.js';
import { PERMISSIONS } from '../../plugin/core/permissions.js';
import { configJsonSchema } from '../../plugin/config.js';
import cron from 'node-cron';

const manifest = loadManifest();
let db: TestDatabase;
let plugin: TestPlugin;

beforeAll(async () => {
  db = await createTestDatabase();
  plugin = await startTestPlugin({ db: db.knex });
});
afterAll(async () => {
  await plugin.close();
  await db.destroy();
});

describe('manifest.json is the contract and the code agrees', () => {
  it('declares exactly the permissions the routes check', () => {
    const declared = manifest.permissions.map((p) => p.id).sort();
    const checked = [...new Set(plugin.service.routes.map((r) => r.access).filter((a) => a !== 'public'))].sort();
    expect(checked).toEqual(declared);
    expect(Object.values(PERMISSIONS).sort()).toEqual(declared);
    for (const id of declared) expect(id).toMatch(/^wecom-store-service\.[a-z-]+:[a-z-]+$/);
  });

  it('grants only declared permissions, everything to HQ WeCom operations, no writes to viewers', () => {
    const declared = new Set(manifest.permissions.map((p) => p.id));
    expect(manifest.roles.map((r) => r.id).sort()).toEqual(['branch-admin', 'hq-wecom-ops', 'viewer']);
    for (const role of manifest.roles) for (const grant of role.grants) expect(declared.has(grant)).toBe(true);
    const hq = manifest.roles.find((r) => r.id === 'hq-wecom-ops')!;
    expect([...hq.grants].sort()).toEqual([...declared].sort());
    const viewer = manifest.roles.find((r) => r.id === 'viewer')!;
    expect(viewer.grants.every((g) => /:(read)$/.test(g))).toBe(true);
  });

  it('declares exactly the jobs the code defines, with valid cron expressions', () => {
    expect(manifest.jobs.map((j) => j.id).sort()).toEqual(plugin.service.jobs.declaredJobs().sort());
    for (const job of manifest.jobs) {
      expect(cron.validate(job.cron)).toBe(true);
      expect(job.timeoutMs).toBeGreaterThan(0);
    }
  });

  it('carries the same config schema as the code validates with', () => {
    expect(manifest.configSchema).toEqual(configJsonSchema());
  });

  it('declares elements that exist in web-components/index.ts and the routes prefix the code defaults to', async () => {
    const index = await import('../../web-components/index.js').catch(() => null);
    void index; // importing needs a DOM; check the source folder names instead
    const folders = readdirSync(new URL('../../web-components/', import.meta.url));
    for (const element of manifest.elements) {
      expect(element.tag).toMatch(/^wss-[a-z-]+$/);
      expect(folders).toContain(element.tag.replace(/^wss-/, ''));
      for (const p of element.requires) expect(manifest.permissions.map((x) => x.id)).toContain(p);
    }
    expect(plugin.service.config.routesPrefix).toBe(manifest.routesPrefix);
    expect(manifest.name['zh-CN']).toBeTruthy();
    expect(manifest.name.en).toBeTruthy();
  });
});
