import type { Knex } from 'knex';
import { storeIsBoundSql } from '../core/serving.js';

export interface BranchRollout {
  branchId: string;
  branchName: string;
  openStores: number;
  boundStores: number;
  shownStores: number;
  pendingReviews: number;
  returnedStores: number;
  unbound: { storeId: string; storeName: string }[];
}

const UNBOUND_LISTED = 100;

/** Knex only: each active branch's rollout figures (bound by the serving rule, like the store list). */
export async function branchRollouts(knex: Knex): Promise<BranchRollout[]> {
  const { rows } = await knex.raw<{ rows: Omit<BranchRollout, 'unbound'>[] }>(
    `SELECT b.id AS "branchId", b.name AS "branchName",
       count(s.id) FILTER (WHERE s.is_open)::int AS "openStores",
       count(s.id) FILTER (WHERE s.is_open AND ${storeIsBoundSql('s')})::int AS "boundStores",
       count(s.id) FILTER (WHERE s.is_open AND e.visible)::int AS "shownStores",
       (SELECT count(*)::int FROM wss_binding_reviews r JOIN wss_stores rs ON rs.id = r.store_id
         WHERE rs.branch_id = b.id AND r.status = 'pending') AS "pendingReviews",
       (SELECT count(*)::int FROM wss_binding_reviews r JOIN wss_stores rs ON rs.id = r.store_id
         JOIN wss_store_entries re ON re.store_id = r.store_id
         WHERE rs.branch_id = b.id AND r.status = 'rejected' AND re.hidden_automatically = 'review_rejected'
           AND NOT EXISTS (SELECT 1 FROM wss_binding_reviews n WHERE n.store_id = r.store_id AND n.id > r.id)) AS "returnedStores"
     FROM wss_branches b
     LEFT JOIN wss_stores s ON s.branch_id = b.id
     LEFT JOIN wss_store_entries e ON e.store_id = s.id
     WHERE b.active
     GROUP BY b.id, b.name ORDER BY b.id`,
  );
  const unbound = await knex.raw<{ rows: { branch_id: string; id: string; name: string }[] }>(
    `SELECT branch_id, id, name FROM (
       SELECT s.branch_id, s.id, s.name, row_number() OVER (PARTITION BY s.branch_id ORDER BY s.id) AS n
       FROM wss_stores s WHERE s.is_open AND NOT ${storeIsBoundSql('s')}) x
     WHERE n <= ? ORDER BY branch_id, id`,
    [UNBOUND_LISTED],
  );
  return rows.map((r) => ({
    ...r,
    unbound: unbound.rows.filter((u) => u.branch_id === r.branchId).map((u) => ({ storeId: u.id, storeName: u.name })),
  }));
}
