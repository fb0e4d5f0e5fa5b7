import type { Knex } from 'knex';
import type { Actor } from '../host/adapter.js';
import { scopeOf, whereInScope, SYSTEM_SCOPE, type Scope } from '../access/scope.js';
import { addDays, todayIn } from '../core/days.js';
import type { Logger } from '../core/logger.js';
import { countedBindingSql } from '../core/serving.js';
import type { BehaviorDriftBody } from '../contract/index.js';
import type { ContactAddCounter } from '../wecom-callbacks/index.js';
import type { WecomClient } from '../wecom/index.js';

export type BehaviorWecomApi = Pick<WecomClient, 'userBehavior'>;

export interface BehaviorPullReport {
  day: string;
  members: number;
  pulled: number;
  failed: number;
}

export interface MemberBehaviorService {
  /**
   * Job `member-behavior-pull`: yesterday's (Beijing) figures of every bound member, one call per
   * member (WeCom sums several); a day is pulled once and re-pulled once at least four hours later,
   * since numbers read early in the morning can still be zero.
   */
  pull(signal?: AbortSignal): Promise<BehaviorPullReport>;
  /** WeCom's new contacts next to the adds the plugin received, per account, for one day. */
  drift(actor: Actor, day?: string): Promise<BehaviorDriftBody>;
}

const TABLE = 'wss_member_behavior_days';
const WECOM_TZ = 'Asia/Shanghai';
const REPULL_AFTER_MS = 4 * 3_600_000;
const MAX_PULLS = 2;

export function createMemberBehaviorService(deps: { db: Knex; wecom: BehaviorWecomApi; adds: ContactAddCounter; logger: Logger }): MemberBehaviorService {
  const { db, wecom, logger } = deps;

  /** Bound members (active or retired bindings) in scope, with names. */
  async function members(scope: Scope): Promise<{ userid: string; name: string }[]> {
    const query = db('wss_wecom_accounts as a')
      .join('wss_store_accounts as sa', 'sa.account_id', 'a.id')
      .join('wss_stores as s', 's.id', 'sa.store_id')
      .whereRaw(countedBindingSql('sa'))
      .distinct('a.userid', 'a.name')
      .orderBy('a.userid');
    return (await whereInScope(query, scope, 's.branch_id')) as { userid: string; name: string }[];
  }

  return {
    async pull(signal) {
      const day = addDays(todayIn(WECOM_TZ), -1);
      const start = Math.floor(Date.parse(`${day}T00:00:00+08:00`) / 1000);
      const all = await members(SYSTEM_SCOPE);
      const done = new Map(
        ((await db(TABLE).where('day', day).select('userid', 'pulls', 'pulled_at')) as { userid: string; pulls: number; pulled_at: Date }[]).map((r) => [r.userid, r]),
      );
      const report: BehaviorPullReport = { day, members: all.length, pulled: 0, failed: 0 };
      for (const { userid } of all) {
        if (signal?.aborted) break;
        const previous = done.get(userid);
        if (previous && (previous.pulls >= MAX_PULLS || Date.now() - previous.pulled_at.getTime() < REPULL_AFTER_MS)) continue;
        try {
          const [figures] = await wecom.userBehavior(userid, start, start + 86_399);
          if (!figures) continue;
          await db(TABLE)
            .insert({
              userid, day,
              new_contact_cnt: figures.new_contact_cnt ?? 0, new_apply_cnt: figures.new_apply_cnt ?? 0, chat_cnt: figures.chat_cnt ?? 0,
              message_cnt: figures.message_cnt ?? 0, negative_feedback_cnt: figures.negative_feedback_cnt ?? 0,
              reply_percentage: figures.reply_percentage ?? null, avg_reply_time: figures.avg_reply_time ?? null,
            })
            .onConflict(['userid', 'day'])
            .merge({
              new_contact_cnt: db.raw('excluded.new_contact_cnt'), new_apply_cnt: db.raw('excluded.new_apply_cnt'), chat_cnt: db.raw('excluded.chat_cnt'),
              message_cnt: db.raw('excluded.message_cnt'), negative_feedback_cnt: db.raw('excluded.negative_feedback_cnt'),
              reply_percentage: db.raw('excluded.reply_percentage'), avg_reply_time: db.raw('excluded.avg_reply_time'),
              pulls: db.raw(`${TABLE}.pulls + 1`), pulled_at: db.fn.now(),
            });
          report.pulled += 1;
        } catch (error) {
          report.failed += 1;
          logger.warn('member behaviour pull failed', { userid, day, error: (error as Error).message });
        }
      }
      return report;
    },

    async drift(actor, day) {
      const wanted = day ?? addDays(todayIn(WECOM_TZ), -1);
      const list = await members(scopeOf(actor));
      const userids = list.map((m) => m.userid);
      const rows = userids.length
        ? ((await db(TABLE).where('day', wanted).whereIn('userid', userids).select('userid', 'new_contact_cnt', 'new_apply_cnt', 'negative_feedback_cnt', 'pulls', 'pulled_at')) as {
            userid: string; new_contact_cnt: number; new_apply_cnt: number; negative_feedback_cnt: number; pulls: number; pulled_at: Date;
          }[])
        : [];
      const byUser = new Map(rows.map((r) => [r.userid, r]));
      const adds = await deps.adds.addsOn(wanted, userids);
      const items = list.map((m) => {
        const wecomRow = byUser.get(m.userid);
        const pluginAdds = adds.get(m.userid) ?? 0;
        return {
          userid: m.userid,
          name: m.name || m.userid,
          wecomNewContacts: wecomRow ? wecomRow.new_contact_cnt : null,
          wecomNewApplies: wecomRow ? wecomRow.new_apply_cnt : null,
          wecomNegativeFeedback: wecomRow ? wecomRow.negative_feedback_cnt : null,
          pluginAdds,
          drift: wecomRow ? wecomRow.new_contact_cnt - pluginAdds : null,
          pulls: wecomRow?.pulls ?? 0,
          pulledAt: wecomRow?.pulled_at.toISOString() ?? null,
        };
      });
      const pulled = items.filter((i) => i.wecomNewContacts !== null);
      return {
        day: wanted,
        items,
        totals: {
          wecomNewContacts: pulled.reduce((a, i) => a + (i.wecomNewContacts ?? 0), 0),
          pluginAdds: items.reduce((a, i) => a + i.pluginAdds, 0),
          membersWithDrift: pulled.filter((i) => i.drift !== 0).length,
          membersNotPulled: items.length - pulled.length,
        },
      };
    },
  };
}
