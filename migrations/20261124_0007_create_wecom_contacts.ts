import type { Knex } from 'knex';

/** A customer (external_userid) of a member (account userid), as WeCom reported it. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_wecom_contacts', (t) => {
    t.bigIncrements('id', { primaryKey: false });
    t.primary(['id'], { constraintName: 'wss_wecom_contacts_pkey' });
    t.text('external_userid').notNullable();
    t.text('account_userid').notNullable();
    t.text('state').comment('Contact-way state of the first add: identifies the store / guide visit');
    t.timestamp('first_added_at', { useTz: true }).notNullable();
    t.timestamp('last_added_at', { useTz: true }).notNullable();
    t.timestamp('deleted_at', { useTz: true });
    t.text('deleted_by').comment("'customer' (del_follow_user) or 'member' (del_external_contact)");
    t.timestamp('edited_at', { useTz: true });
    t.unique(['external_userid', 'account_userid'], { indexName: 'wss_wecom_contacts_pair_key' });
    t.index(['account_userid'], 'wss_wecom_contacts_account_idx');
    t.index(['state'], 'wss_wecom_contacts_state_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_wecom_contacts');
}
