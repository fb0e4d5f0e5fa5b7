import type { Knex } from 'knex';
import type { Context } from 'koa';
import type { HostAdapter } from '../../plugin/host/adapter.js';
import type { PluginManifest } from '../../plugin/manifest/manifest.js';
import { DEMO_USERS, actorFor } from './actors.js';

export const ACTOR_COOKIE = 'wss_demo_actor';

/** The demo CRM's side of the contract: who is signed in, and its own branch/store tables. */
export function createDemoHostAdapter(db: Knex, manifest: PluginManifest): HostAdapter {
  return {
    authenticate(ctx: Context) {
      const key = ctx.cookies.get(ACTOR_COOKIE) ?? ctx.get('X-Demo-Actor');
      const user = DEMO_USERS.find((u) => u.key === key);
      return user ? actorFor(user, manifest) : null;
    },
    directory: {
      async listBranches() {
        return db('crm_branches').select('code as id', 'title as name').orderBy('code');
      },
      async listStores({ cursor, limit }) {
        const query = db('crm_stores')
          .select('store_code as id', 'store_name as name', 'branch_code as branchId', db.raw("status = 'open' AS \"isOpen\""))
          .orderBy('store_code')
          .limit(limit + 1);
        if (cursor) query.where('store_code', '>', cursor);
        const rows = await query;
        const items = rows.slice(0, limit);
        return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null };
      },
    },
  };
}
