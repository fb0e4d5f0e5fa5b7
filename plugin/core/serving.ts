/**
 * "Is this store served, and by whom": the one place these rules are written. Every query that asks
 * uses these SQL fragments, so the store list, the exports, the entry, the guide and the stats
 * cannot drift apart. `s` is an alias of wss_stores, `sa` of wss_store_accounts, `a` of
 * wss_wecom_accounts.
 */

/** A binding that takes customers now: not ended, primary or backup (retired ones only keep theirs). */
export const activeBindingSql = (sa = 'sa') => `${sa}.ended_at IS NULL AND ${sa}.role IN ('primary', 'backup')`;

/** A binding whose account still counts for capacity: active, or retired (it keeps its customers). */
export const countedBindingSql = (sa = 'sa') => `(${sa}.ended_at IS NULL OR ${sa}.role = 'retired')`;

/** An account WeCom has not reported disabled, not activated or gone (user/get status 1, or not yet checked). */
export const usableAccountSql = (a = 'a') => `coalesce(${a}.wecom_status, 1) = 1`;

/** The store is bound: it has an active primary or backup binding. */
export const storeIsBoundSql = (s = 's') =>
  `EXISTS (SELECT 1 FROM wss_store_accounts sa WHERE sa.store_id = ${s}.id AND ${activeBindingSql('sa')})`;

/** The store is served: an active primary or backup binding to an account WeCom reports usable. */
export const storeIsServedSql = (s = 's') =>
  `EXISTS (SELECT 1 FROM wss_store_accounts sa JOIN wss_wecom_accounts a ON a.id = sa.account_id
     WHERE sa.store_id = ${s}.id AND ${activeBindingSql('sa')} AND ${usableAccountSql('a')})`;

/** Bound, but only to accounts WeCom reports disabled, not activated or gone: it takes nobody. */
export const storeBoundOnlyToUnusableSql = (s = 's') => `(${storeIsBoundSql(s)} AND NOT ${storeIsServedSql(s)})`;

/** Active primary/backup bindings of the store to accounts WeCom reports usable. */
export const usableAccountsOfStoreSql = (s = 's') =>
  `(SELECT count(*)::int FROM wss_store_accounts sa JOIN wss_wecom_accounts a ON a.id = sa.account_id
     WHERE sa.store_id = ${s}.id AND ${activeBindingSql('sa')} AND ${usableAccountSql('a')})`;

/**
 * The userid that takes the store's new customers: the store live code's account, which the binding
 * workflow and the capacity failover keep on an active primary or backup; the primary when the store
 * has no live code yet.
 */
export const servingUseridSql = (s = 's') => `coalesce(
  (SELECT lc.account_userids[1] FROM wss_store_live_codes lc WHERE lc.store_id = ${s}.id),
  (SELECT pa.userid FROM wss_store_accounts psa JOIN wss_wecom_accounts pa ON pa.id = psa.account_id
   WHERE psa.store_id = ${s}.id AND psa.role = 'primary' AND psa.ended_at IS NULL LIMIT 1))`;
