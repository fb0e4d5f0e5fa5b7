import { TEST_WECOM } from '../support/credentials.js';
import { createWecomSimulator, type WecomSimulator, type SimulatorSeedMember } from '../../simulator/server.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { FixtureDirectory, TEST_WECOM_CONFIG, startTestPlugin, type TestPlugin } from '../support/plugin-app.js';
import type { PluginConfigInput } from '../../plugin/config.js';

export const SIM_CORP = TEST_WECOM.corpId;
export const SIM_SECRET = TEST_WECOM.corpSecret;

export interface BindingsWorld {
  db: TestDatabase;
  sim: WecomSimulator;
  plugin: TestPlugin;
  close(): Promise<void>;
}

/**
 * A plugin on its own database, talking to the WeCom simulator. Branches B1 and B2; stores
 * S1xx in B1, S2xx in B2 (S199 closed); members `u_<store>` and `u_<store>_b` per store plus
 * u_disabled (2), u_left (5), u_inactive (4).
 */
export async function startBindingsWorld(
  opts: { storesPerBranch?: number; extraMembers?: SimulatorSeedMember[]; config?: (simulatorUrl: string) => Partial<PluginConfigInput> } = {},
): Promise<BindingsWorld> {
  const perBranch = opts.storesPerBranch ?? 5;
  const directory = new FixtureDirectory();
  directory.branches = [
    { id: 'B1', name: '华东' },
    { id: 'B2', name: '华南' },
  ];
  for (const [b, branchId] of ['B1', 'B2'].entries()) {
    for (let i = 1; i <= perBranch; i++) {
      const id = `S${b + 1}${String(i).padStart(perBranch > 98 ? 4 : 2, '0')}`;
      directory.stores.push({ id, name: `门店${id}`, branchId, isOpen: true });
    }
  }
  directory.stores.push({ id: 'S199', name: '已关门店', branchId: 'B1', isOpen: false });
  const members: SimulatorSeedMember[] = directory.stores.flatMap((s) => [
    { userid: `u_${s.id.toLowerCase()}`, name: `店员${s.id}` },
    { userid: `u_${s.id.toLowerCase()}_b`, name: `备用${s.id}` },
  ]);
  members.push({ userid: 'u_disabled', status: 2 }, { userid: 'u_left', status: 5 }, { userid: 'u_inactive', status: 4 }, ...(opts.extraMembers ?? []));
  const sim = await createWecomSimulator({ corpId: SIM_CORP, corpSecret: SIM_SECRET, members });
  const db = await createTestDatabase();
  const plugin = await startTestPlugin({
    db: db.knex,
    directory,
    config: { wecom: { ...TEST_WECOM_CONFIG, apiBaseUrl: sim.url, corpId: SIM_CORP, corpSecret: SIM_SECRET }, ...opts.config?.(sim.url) },
  });
  await plugin.service.services.directory.sync();
  return {
    db,
    sim,
    plugin,
    async close() {
      await plugin.close();
      await sim.close();
      await db.destroy();
    },
  };
}

/** Polls an import job until it leaves the running states. */
export async function waitForImport(plugin: TestPlugin, id: string, actor: Parameters<TestPlugin['request']>[1] extends infer O ? (O extends { actor?: infer A } ? A : never) : never) {
  for (let i = 0; i < 600; i++) {
    const res = await plugin.request(`/imports/${id}`, { actor });
    if (res.body.status !== 'validating' && res.body.status !== 'committing') return res.body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`import ${id} did not finish`);
}

export async function upload(plugin: TestPlugin, actor: Parameters<typeof waitForImport>[2], fileName: string, content: string | Buffer) {
  await plugin.request('/me', { actor }); // registers the actor with the fixture host
  const url = `${plugin.url}${plugin.service.config.routesPrefix}/imports?fileName=${encodeURIComponent(fileName)}`;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'X-Test-Actor': actor!.id, 'Content-Type': fileName.endsWith('.csv') ? 'text/csv' : 'application/octet-stream' },
    body: typeof content === 'string' ? content : new Uint8Array(content),
  });
  return { status: res.status, body: (await res.json()) as any };
}
