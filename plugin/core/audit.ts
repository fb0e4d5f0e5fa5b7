import type { Knex } from 'knex';

/** Who wrote a change: an actor, or the system (automatic hides, WeCom status checks, failover). */
export interface Author {
  id: string;
  name: string;
}

export const SYSTEM_AUTHOR: Author = Object.freeze({ id: 'system', name: '系统' });

export const authorOf = (actor: Author): Author => ({ id: actor.id, name: actor.name });

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string;
  storeId?: string | null;
  branchId?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}

const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));

/** Appends audit rows inside the caller's transaction (`wss_audit_log`, the one audit trail). */
export async function writeAudit(knex: Knex, by: Author, entries: AuditEntry[]): Promise<void> {
  if (!entries.length) return;
  const rows = entries.map((e) => ({
    actor_id: by.id,
    actor_name: by.name,
    action: e.action,
    entity_type: e.entityType,
    entity_id: e.entityId,
    store_id: e.storeId ?? null,
    branch_id: e.branchId ?? null,
    before: json(e.before),
    after: json(e.after),
    reason: e.reason ?? null,
  }));
  for (let i = 0; i < rows.length; i += 1000) await knex('wss_audit_log').insert(rows.slice(i, i + 1000));
}
