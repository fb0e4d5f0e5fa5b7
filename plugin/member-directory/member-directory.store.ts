import type { Knex } from 'knex';
import type { MemberItem } from '../contract/index.js';
import type { Scope } from '../access/scope.js';

export interface CachedMember {
  userid: string;
  name: string;
  status: number;
  departments: number[];
  mainDepartment: number | null;
}

/** Knex only: the cached WeCom directory (wss_wecom_members) and what the plugin knows of each account. */
export function createMemberDirectoryStore(db: Knex) {
  return {
    /** Replaces the cache with one full read: upserts what WeCom listed and drops who it no longer lists. */
    async replace(members: CachedMember[]): Promise<{ upserted: number; removed: number }> {
      return db.transaction(async (trx) => {
        const [{ now }] = (await trx.raw('SELECT now() AS now')).rows;
        for (let i = 0; i < members.length; i += 2000) {
          const chunk = members.slice(i, i + 2000).map((m) => ({ userid: m.userid, name: m.name, status: m.status, departments: m.departments, main_department: m.mainDepartment }));
          await trx.raw(
            `INSERT INTO wss_wecom_members (userid, name, status, departments, main_department, synced_at)
             SELECT m.userid, m.name, m.status, m.departments, m.main_department, ?
             FROM json_to_recordset(?::json) AS m(userid text, name text, status smallint, departments integer[], main_department integer)
             ON CONFLICT (userid) DO UPDATE SET name = excluded.name, status = excluded.status, departments = excluded.departments,
               main_department = excluded.main_department, synced_at = excluded.synced_at`,
            [now, JSON.stringify(chunk)],
          );
        }
        const removed = await trx('wss_wecom_members').where('synced_at', '<', now).delete();
        return { upserted: members.length, removed };
      });
    },

    async lastSyncedAt(): Promise<Date | null> {
      const [row] = await db('wss_wecom_members').max({ at: 'synced_at' });
      return row?.at ? new Date(row.at) : null;
    },

    /** Members whose userid starts with `q` or whose name contains it: the exact userid, then userid matches, by userid. */
    async search(scope: Scope, q: string, limit: number): Promise<MemberItem[]> {
      const needle = q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
      const query = db('wss_wecom_members as m')
        .leftJoin('wss_wecom_accounts as a', 'a.userid', 'm.userid')
        .select(
          'm.userid', 'm.name', 'm.status', 'm.departments',
          'a.customer_count as count', 'a.capacity_limit as limit', 'a.counted_at as countedAt',
          db.raw(
            `coalesce((SELECT json_agg(json_build_object('storeId', s.id, 'storeName', s.name, 'role', sa.role) ORDER BY s.id)
               FROM wss_store_accounts sa JOIN wss_stores s ON s.id = sa.store_id
               WHERE sa.account_id = a.id AND sa.ended_at IS NULL ${scope.kind === 'all' ? '' : 'AND s.branch_id = ANY(?)'}), '[]') AS "boundTo"`,
            scope.kind === 'all' ? [] : [[...scope.branchIds]],
          ),
          db.raw(
            `(SELECT count(*)::int FROM wss_store_accounts sa JOIN wss_stores s ON s.id = sa.store_id
               WHERE sa.account_id = a.id AND sa.ended_at IS NULL ${scope.kind === 'all' ? 'AND false' : 'AND NOT (s.branch_id = ANY(?))'}) AS "boundElsewhere"`,
            scope.kind === 'all' ? [] : [[...scope.branchIds]],
          ),
        )
        .orderByRaw('lower(m.userid) = ? DESC, lower(m.userid) LIKE ? DESC, m.userid', [q.toLowerCase(), `${needle}%`])
        .limit(limit);
      if (q) query.where((w) => w.whereRaw('lower(m.userid) LIKE ?', [`${needle}%`]).orWhereRaw('lower(m.name) LIKE ?', [`%${needle}%`]));
      const rows = await query;
      return rows.map((r: Record<string, unknown>) => ({
        userid: r.userid as string,
        name: r.name as string,
        status: (r.status as number | null) ?? null,
        departments: r.departments as number[],
        fill:
          r.count === null || r.count === undefined || !r.countedAt
            ? null
            : {
                count: r.count as number,
                limit: r.limit as number,
                percent: Math.floor(((r.count as number) * 1000) / (r.limit as number)) / 10,
                countedAt: new Date(r.countedAt as string).toISOString(),
              },
        boundTo: r.boundTo as MemberItem['boundTo'],
        boundElsewhere: (r.boundElsewhere as number) ?? 0,
      }));
    },
  };
}

export type MemberDirectoryStore = ReturnType<typeof createMemberDirectoryStore>;
