import type { Knex } from 'knex';

/** WeCom's behaviour figures of a bound member for one Beijing day (get_user_behavior_data), pulled at most twice. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_member_behavior_days', (t) => {
    t.text('userid').notNullable();
    t.date('day').notNullable().comment('Beijing day, as WeCom counts');
    t.integer('new_contact_cnt').notNullable();
    t.integer('new_apply_cnt').notNullable();
    t.integer('chat_cnt').notNullable();
    t.integer('message_cnt').notNullable();
    t.integer('negative_feedback_cnt').notNullable();
    t.decimal('reply_percentage', 6, 2);
    t.integer('avg_reply_time');
    t.smallint('pulls').notNullable().defaultTo(1);
    t.timestamp('pulled_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['userid', 'day'], { constraintName: 'wss_member_behavior_days_pkey' });
    t.index(['day'], 'wss_member_behavior_days_day_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_member_behavior_days');
}
