/**
 * The adds the plugin itself received per account and day: the independent side WeCom's behaviour
 * data (new_contact_cnt) is compared with. Days are Beijing days, as WeCom's statistics are.
 */
import type { Knex } from 'knex';
import { ADDS, CONTACT_EVENT } from './contact-apply.js';

export interface ContactAddCounter {
  /** Stored add events (deduplicated, applied or not) per userid on the Beijing day `YYYY-MM-DD`. */
  addsOn(day: string, userids: readonly string[]): Promise<Map<string, number>>;
}

export function createContactAddCounter(db: Knex): ContactAddCounter {
  return {
    async addsOn(day, userids) {
      const out = new Map(userids.map((u) => [u, 0]));
      if (!userids.length) return out;
      const start = Math.floor(Date.parse(`${day}T00:00:00+08:00`) / 1000);
      const rows = (await db('wss_wecom_callback_events')
        .where('event', CONTACT_EVENT)
        .whereIn('change_type', [...ADDS])
        .whereIn('user_id', userids)
        .where('create_time', '>=', start)
        .where('create_time', '<', start + 86_400)
        .groupBy('user_id')
        .select('user_id')
        .count({ n: '*' })) as { user_id: string; n: string }[];
      for (const r of rows) out.set(r.user_id, Number(r.n));
      return out;
    },
  };
}
