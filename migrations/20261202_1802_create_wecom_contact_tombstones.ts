import type { Knex } from 'knex';

/**
 * A delete applied before the plugin knew the relation (its add is late or never came): kept so a
 * late add that happened before the delete does not bring the customer back.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_wecom_contact_tombstones', (t) => {
    t.text('account_userid').notNullable();
    t.text('external_userid').notNullable();
    t.timestamp('deleted_at', { useTz: true }).notNullable().comment('CreateTime of the delete');
    t.text('deleted_by').notNullable().comment("'customer' (del_follow_user) or 'member' (del_external_contact)");
    t.primary(['account_userid', 'external_userid'], { constraintName: 'wss_wecom_contact_tombstones_pkey' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_wecom_contact_tombstones');
}
