import type { Knex } from 'knex';

/** Seeds a branch, a store, optionally its entry row and a primary account (foundation tables). */
export async function seedStore(
  knex: Knex,
  opts: { id: string; name?: string; branchId?: string; visible?: boolean; isOpen?: boolean; accountUserid?: string; accountName?: string },
): Promise<void> {
  const branchId = opts.branchId ?? 'B1';
  await knex('wss_branches').insert({ id: branchId, name: `分公司 ${branchId}` }).onConflict('id').ignore();
  await knex('wss_stores').insert({ id: opts.id, branch_id: branchId, name: opts.name ?? `门店 ${opts.id}`, is_open: opts.isOpen ?? true });
  if (opts.visible !== undefined) await setVisible(knex, opts.id, opts.visible);
  if (opts.accountUserid) await bindPrimary(knex, opts.id, opts.accountUserid, opts.accountName);
}

/** What the binding feature does when HQ toggles: upsert the row and bump its version. */
export async function setVisible(knex: Knex, storeId: string, visible: boolean): Promise<void> {
  await knex('wss_store_entries')
    .insert({ store_id: storeId, visible, changed_by: 'test', version: 1 })
    .onConflict('store_id')
    .merge({ visible, changed_at: knex.fn.now(), version: knex.raw('wss_store_entries.version + 1') });
}

export async function bindPrimary(knex: Knex, storeId: string, userid: string, name = `客服 ${userid}`): Promise<void> {
  const [account] = await knex('wss_wecom_accounts')
    .insert({ userid, name })
    .onConflict('userid')
    .merge({ name })
    .returning('id');
  await knex('wss_store_accounts').where({ store_id: storeId }).whereNull('ended_at').update({ ended_at: knex.fn.now(), ended_by: 'test', end_reason: 'rebind' });
  await knex('wss_store_accounts').insert({ store_id: storeId, account_id: account.id, role: 'primary', bound_by: 'test' });
}
