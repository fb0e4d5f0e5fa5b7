import type { Knex } from 'knex';

/**
 * Who asked for a guide visit (a short hash of the client address, never the address itself), so
 * the per-requester pool lease limit holds across visitor ids and host processes.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('wss_guide_visits', (t) => {
    t.text('requester').comment('Hash of the client address that started the visit');
    t.index(['store_id', 'requester', 'lease_until'], 'wss_guide_visits_store_requester_idx');
    t.index(['visitor_id', 'lease_until'], 'wss_guide_visits_visitor_lease_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('wss_guide_visits', (t) => {
    t.dropIndex(['visitor_id', 'lease_until'], 'wss_guide_visits_visitor_lease_idx');
    t.dropIndex(['store_id', 'requester', 'lease_until'], 'wss_guide_visits_store_requester_idx');
    t.dropColumn('requester');
  });
}
