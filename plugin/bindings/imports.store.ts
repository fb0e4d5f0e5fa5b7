import type { Knex } from 'knex';
import type { Actor } from '../host/adapter.js';
import type { ImportFormat, ImportRow } from './import-file.js';

export type ImportStatus = 'validating' | 'validated' | 'committing' | 'committed' | 'failed';

export interface ImportJob {
  id: string;
  actorId: string;
  actor: Actor;
  fileName: string;
  format: ImportFormat;
  status: ImportStatus;
  totalRows: number;
  processedRows: number;
  rows: ImportRow[];
  report: unknown[] | null;
  summary: Record<string, unknown> | null;
  error: string | null;
  createdAt: Date;
  heartbeatAt: Date;
  committedAt: Date | null;
}

const fromRow = (r: Record<string, unknown>): ImportJob => ({
  id: r.id as string,
  actorId: r.actor_id as string,
  actor: r.actor as Actor,
  fileName: r.file_name as string,
  format: r.format as ImportFormat,
  status: r.status as ImportStatus,
  totalRows: r.total_rows as number,
  processedRows: r.processed_rows as number,
  rows: r.rows as ImportRow[],
  report: (r.report as unknown[] | null) ?? null,
  summary: (r.summary as Record<string, unknown> | null) ?? null,
  error: (r.error as string | null) ?? null,
  createdAt: r.created_at as Date,
  heartbeatAt: r.heartbeat_at as Date,
  committedAt: (r.committed_at as Date | null) ?? null,
});

/** Knex only: persisted import jobs. Reads are scoped to the actor who uploaded the file. */
export function createImportsStore(db: Knex) {
  return {
    async create(actor: Actor, input: { fileName: string; format: ImportFormat; rows: ImportRow[] }): Promise<ImportJob> {
      const [row] = await db('wss_binding_imports')
        .insert({
          actor_id: actor.id,
          actor: JSON.stringify({ id: actor.id, name: actor.name, permissions: actor.permissions, branchScope: actor.branchScope }),
          file_name: input.fileName,
          format: input.format,
          status: 'validating',
          total_rows: input.rows.length,
          rows: JSON.stringify(input.rows),
        })
        .returning('*');
      return fromRow(row);
    },

    async get(id: string, actorId?: string): Promise<ImportJob | null> {
      const query = db('wss_binding_imports').where({ id });
      if (actorId) query.where('actor_id', actorId);
      const row = await query.first();
      return row ? fromRow(row) : null;
    },

    async progress(id: string, processedRows: number): Promise<void> {
      await db('wss_binding_imports').where({ id }).update({ processed_rows: processedRows, heartbeat_at: db.fn.now() });
    },

    /** Moves a job between states only from the expected one (so two processes never both run it). */
    async transition(id: string, from: ImportStatus[], to: ImportStatus, patch: { report?: unknown; summary?: unknown; error?: string | null; processedRows?: number; committed?: boolean } = {}): Promise<boolean> {
      const update: Record<string, unknown> = { status: to, heartbeat_at: db.fn.now() };
      if (patch.report !== undefined) update.report = JSON.stringify(patch.report);
      if (patch.summary !== undefined) update.summary = JSON.stringify(patch.summary);
      if (patch.error !== undefined) update.error = patch.error;
      if (patch.processedRows !== undefined) update.processed_rows = patch.processedRows;
      if (patch.committed) update.committed_at = db.fn.now();
      const count = await db('wss_binding_imports').where({ id }).whereIn('status', from).update(update);
      return count > 0;
    },

    /** Claims a job whose runner stopped (no heartbeat for `staleMs`), bumping its heartbeat. */
    async claimStale(id: string, staleMs: number): Promise<boolean> {
      const count = await db('wss_binding_imports')
        .where({ id })
        .whereIn('status', ['validating', 'committing'])
        .where('heartbeat_at', '<', db.raw(`now() - (? || ' milliseconds')::interval`, [String(staleMs)]))
        .update({ heartbeat_at: db.fn.now() });
      return count > 0;
    },
  };
}

export type ImportsStore = ReturnType<typeof createImportsStore>;
