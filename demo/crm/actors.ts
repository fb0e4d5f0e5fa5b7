import type { Actor } from '../../plugin/host/adapter.js';
import type { PluginManifest } from '../../plugin/manifest/manifest.js';
import { SEED_BRANCHES } from './seed-data.js';

/** The demo host's users. Permissions come from the manifest's default role grants, as a host would do. */
export interface DemoUser {
  key: string;
  name: string;
  roleId: 'hq-wecom-ops' | 'branch-admin' | 'viewer';
  branchIds: string[] | 'all';
}

export const DEMO_USERS: DemoUser[] = [
  { key: 'hq-ops', name: '王敏（中央企微运营）', roleId: 'hq-wecom-ops', branchIds: 'all' },
  ...SEED_BRANCHES.map((b, i) => ({
    key: `admin-${b.id.toLowerCase()}`,
    name: `${['陈', '林', '赵', '杨'][i]}经理（${b.name}管理员）`,
    roleId: 'branch-admin' as const,
    branchIds: [b.id],
  })),
  { key: 'viewer', name: '刘洋（华东只读）', roleId: 'viewer', branchIds: ['BR-EAST'] },
];

export function actorFor(user: DemoUser, manifest: PluginManifest): Actor {
  const role = manifest.roles.find((r) => r.id === user.roleId);
  if (!role) throw new Error(`manifest has no role ${user.roleId}`);
  return { id: user.key, name: user.name, permissions: role.grants, branchScope: user.branchIds };
}
