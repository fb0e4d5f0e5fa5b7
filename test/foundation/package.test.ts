import { TEST_WECOM } from '../support/credentials.js';
import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

// What a host installs: the built plugin, jobs, migrations, elements and manifest; nothing else.
describe('the package a host installs', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    await run('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root });
    db = await createTestDatabase({ migrate: false });
  }, 120_000);
  afterAll(async () => {
    await db?.destroy();
  });

  it('packs the plugin, jobs, migrations, built elements and manifest, and no demo, test, bench or simulator', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root });
    const files: string[] = JSON.parse(stdout)[0].files.map((f: { path: string }) => f.path);
    for (const expected of ['dist/plugin/index.js', 'dist/plugin/index.d.ts', 'dist/jobs/scheduler.js', 'manifest.json', 'package.json', 'web-components/dist/wss-elements.js']) {
      expect(files).toContain(expected);
    }
    expect(files.some((f) => /^dist\/migrations\/\d{8}_\d{4}_.+\.js$/.test(f))).toBe(true);
    expect(files.filter((f) => /^(demo|test|bench|simulator|plugin|jobs|migrations|web-components\/(?!dist\/wss-elements\.js))\//.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.test.js') || f.includes('simulator'))).toEqual([]);
  });

  it('needs at run time only its dependencies (no dev-only package is imported by shipped code)', async () => {
    const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
    const imported = new Set<string>();
    for (const file of (await filesUnder(path.join(root, 'dist'))).filter((f) => f.endsWith('.js'))) {
      const source = (await readFile(file, 'utf8')).replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      const specs = [
        ...source.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s*['"]([^'"]+)['"]/gm),
        ...source.matchAll(/^import\s*['"]([^'"]+)['"]/gm),
        ...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
      ].map((m) => m[1]);
      for (const spec of specs) {
        if (spec.startsWith('node:') || spec.startsWith('.')) continue;
        imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
      }
    }
    expect(imported.size).toBeGreaterThan(5);
    expect([...imported].filter((name) => !(name in pkg.dependencies)).sort()).toEqual([]);
  });

  it('runs from the built files with plain Node: migrates and serves its routes', async () => {
    const script = `
      import knex from 'knex';
      import { createWecomStoreService } from './dist/plugin/index.js';
      const db = knex({ client: 'pg', connection: process.env.WSS_DB_URL });
      const wss = createWecomStoreService({
        db, logger: { debug() {}, info() {}, warn() {}, error() {} },
        host: { authenticate: () => null, directory: { listBranches: async () => [], listStores: async () => ({ items: [], nextCursor: null }) } },
        config: { wecom: JSON.parse(process.env.WSS_WECOM) },
      });
      const applied = await wss.migrate();
      console.log(JSON.stringify({ applied: applied.length, routes: wss.routes.length, jobs: wss.jobs.declaredJobs().length, manifest: wss.manifest.id }));
      await wss.close();
      await db.destroy();`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: root, env: { ...process.env, WSS_DB_URL: db.url, WSS_WECOM: JSON.stringify(TEST_WECOM) } });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(result.manifest).toBe('wecom-store-service');
    expect(result.applied).toBe((await readdir(path.join(root, 'migrations'))).filter((f) => f.endsWith('.ts')).length);
    expect(result.routes).toBeGreaterThan(20);
    const manifest = JSON.parse(await readFile(path.join(root, 'manifest.json'), 'utf8'));
    expect(result.jobs).toBe(manifest.jobs.length);
  });
});
