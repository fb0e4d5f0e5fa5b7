import type { Knex } from 'knex';
import type { Actor } from '../host/adapter.js';
import type { Logger } from '../core/logger.js';
import { DomainError, conflict, notFound } from '../core/errors.js';
import { authorOf } from '../core/audit.js';
import { inScope, scopeOf } from '../access/scope.js';
import type { ImportJobBody, ImportReportRow, ImportSummary } from '../contract/index.js';
import { PlanError, applyToSnapshot, planChange, type PlannedChange } from './binding-plan.js';
import type { BindingWriter } from './binding-writer.js';
import { memberProblem } from './bindings.service.js';
import { boundPlace } from './disclosure.js';
import type { BindingsStore } from './bindings.store.js';
import { parseImportFile, parseRole, type ImportFormat, type ImportRow } from './import-file.js';
import type { ImportJob, ImportsStore } from './imports.store.js';
import type { MemberLookup, MemberLookupService } from './member-lookup.js';

export type RowProblem =
  | 'missing_store_id' | 'missing_userid' | 'invalid_userid' | 'invalid_role' | 'duplicate_row'
  | 'store_not_in_scope' | 'store_closed' | 'unknown_userid' | 'inactive_userid'
  | 'account_bound_elsewhere' | 'already_primary' | 'primary_exists' | 'no_primary' | 'not_bound';

export interface ReportRow extends ImportReportRow {
  code?: RowProblem;
}

const USERID = /^[A-Za-z0-9_.@-]{1,64}$/;
/** WeCom statuses fetched within this window are reused instead of asking again. */
const MEMBER_CACHE_MS = 10 * 60_000;
const STALE_RUNNER_MS = 30_000;

class ImportRejected extends Error {
  constructor(readonly report: ReportRow[], readonly summary: ImportSummary) {
    super('import rows no longer valid');
  }
}

function summarise(report: ReportRow[]): ImportSummary {
  const byAction: Record<string, number> = {};
  const byCode: Record<string, number> = {};
  for (const r of report) {
    if (r.status === 'ok') byAction[r.action!] = (byAction[r.action!] ?? 0) + 1;
    else byCode[r.code!] = (byCode[r.code!] ?? 0) + 1;
  }
  const errors = report.filter((r) => r.status === 'error').length;
  return { total: report.length, ok: report.length - errors, errors, byAction, byCode };
}

/**
 * Bulk binding import: upload → dry-run report per row → commit all or nothing. The job lives in
 * wss_binding_imports; its runner heartbeats, and a stale job is resumed by the next reader.
 */
export interface ImportsService {
  /** Parses the file (400 on a bad file), stores the job and starts the dry run in the background. */
  create(actor: Actor, input: { fileName: string; format: ImportFormat; content: Buffer }): Promise<ImportJobBody>;
  /** The job with its progress; a job whose runner died is resumed here. */
  get(actor: Actor, id: string): Promise<ImportJobBody>;
  /** Starts the all-or-nothing commit of a validated job with no error rows. */
  commit(actor: Actor, id: string): Promise<ImportJobBody>;
  /** Resolves when the background work of a job ends (tests, graceful shutdown). */
  settled(id?: string): Promise<void>;
}

export function createImportsService(deps: {
  db: Knex;
  store: ImportsStore;
  bindingsStore: BindingsStore;
  writer: BindingWriter;
  members: MemberLookupService;
  logger: Logger;
}): ImportsService {
  const { db, store, bindingsStore, writer, members, logger } = deps;
  const running = new Map<string, Promise<void>>();

  /** Checks every row against the file itself, the directory, WeCom and the current bindings. */
  async function validate(
    knex: Knex,
    actor: Actor,
    rows: ImportRow[],
    memberOf: (userids: string[]) => Promise<Map<string, MemberLookup>>,
    lock: boolean,
  ): Promise<{ report: ReportRow[]; plans: PlannedChange[] }> {
    const report: ReportRow[] = rows.map((r) => ({ row: r.row, storeId: r.storeId, userid: r.userid, role: parseRole(r.role), status: 'ok' }));
    const fail = (r: ReportRow, code: RowProblem, message: string) => {
      if (r.status === 'ok') Object.assign(r, { status: 'error', code, message });
    };
    const seenPair = new Map<string, number>();
    const primaryRow = new Map<string, number>();
    for (const [index, r] of report.entries()) {
      if (!r.storeId) fail(r, 'missing_store_id', '缺少门店编号');
      else if (!r.userid) fail(r, 'missing_userid', '缺少企微账号');
      else if (!USERID.test(r.userid)) fail(r, 'invalid_userid', `企微账号格式不正确：${r.userid}`);
      else if (!r.role) fail(r, 'invalid_role', `角色只能是“主账号”或“备用”：${rows[index].role}`);
      if (r.status === 'error') continue;
      const pair = `${r.storeId}\u0000${r.userid}`;
      if (seenPair.has(pair)) fail(r, 'duplicate_row', `与第 ${seenPair.get(pair)} 行重复`);
      else seenPair.set(pair, r.row);
      if (r.status === 'ok' && r.role === 'primary') {
        if (primaryRow.has(r.storeId)) fail(r, 'duplicate_row', `门店 ${r.storeId} 在第 ${primaryRow.get(r.storeId)} 行已有主账号`);
        else primaryRow.set(r.storeId, r.row);
      }
    }
    const live = () => report.filter((r) => r.status === 'ok');

    const stores = await bindingsStore.storeBranches(knex, [...new Set(live().map((r) => r.storeId))]);
    for (const r of live()) {
      const s = stores.get(r.storeId);
      // Unknown and out of scope read alike: a report must not confirm which ids exist elsewhere.
      if (!s || !inScope(scopeOf(actor), s.branchId)) fail(r, 'store_not_in_scope', `门店 ${r.storeId} 不在您的分公司或不存在`);
      else if (!s.isOpen) fail(r, 'store_closed', `门店 ${r.storeId} 已关店`);
    }

    const lookups = await memberOf([...new Set(live().map((r) => r.userid))]);
    for (const r of live()) {
      const member = lookups.get(r.userid) ?? { userid: r.userid, found: false as const };
      const problem = memberProblem(member);
      if (problem) fail(r, problem.code, problem.message);
      else if (member.found) r.accountName = member.name;
    }

    const userids = [...new Set(live().map((r) => r.userid))];
    // Sequential: `knex` may be a transaction (one connection).
    const shared = await bindingsStore.sharingOf(knex, userids);
    const elsewhere = await bindingsStore.boundElsewhere(knex, userids);
    const boundAt = new Map<string, typeof elsewhere>();
    for (const b of elsewhere) boundAt.set(b.userid, [...(boundAt.get(b.userid) ?? []), b]);
    const firstStoreOf = new Map<string, ReportRow>();
    for (const r of live()) {
      if (shared.has(r.userid)) continue;
      const other = boundAt.get(r.userid)?.find((b) => b.storeId !== r.storeId);
      if (other) {
        fail(r, 'account_bound_elsewhere', `企微账号 ${r.userid} 已绑定${boundPlace(scopeOf(actor), other)}`);
        continue;
      }
      const first = firstStoreOf.get(r.userid);
      if (first && first.storeId !== r.storeId) fail(r, 'account_bound_elsewhere', `企微账号 ${r.userid} 已在第 ${first.row} 行分配给门店 ${first.storeId}`);
      else if (!first) firstStoreOf.set(r.userid, r);
    }

    const snapshots = await bindingsStore.snapshots(knex, scopeOf(actor), [...new Set(live().map((r) => r.storeId))].sort(), { lock });
    const plans: PlannedChange[] = [];
    for (const r of live()) {
      const snapshot = snapshots.get(r.storeId)!;
      try {
        const plan = planChange(snapshot, { userid: r.userid, accountId: `pending:${r.userid}` }, { kind: 'set', role: r.role! });
        applyToSnapshot(snapshot, plan);
        r.action = plan.action;
        plans.push(plan);
      } catch (error) {
        if (!(error instanceof PlanError)) throw error;
        fail(r, error.code, error.message);
      }
    }
    return { report, plans };
  }

  /** WeCom lookups for a dry run: reuse statuses fetched in the last minutes, ask WeCom for the rest. */
  async function lookupMembers(job: ImportJob, userids: string[]): Promise<Map<string, MemberLookup>> {
    const cached = await bindingsStore.cachedAccounts(db, userids, new Date(Date.now() - MEMBER_CACHE_MS));
    const result = new Map<string, MemberLookup>(cached.map((c) => [c.userid, { userid: c.userid, found: true, name: c.name, status: c.status }]));
    const missing = userids.filter((u) => !result.has(u));
    let last = 0;
    const fetched = await members.lookupMany(missing, async (done) => {
      if (Date.now() - last < 250 && done < missing.length) return;
      last = Date.now();
      const share = userids.length ? (result.size + done) / userids.length : 1;
      await store.progress(job.id, Math.floor(job.totalRows * 0.9 * share));
    });
    for (const [userid, member] of fetched) result.set(userid, member);
    return result;
  }

  async function runValidation(job: ImportJob): Promise<void> {
    try {
      const lookups = new Map<string, MemberLookup>();
      const { report } = await validate(db, job.actor, job.rows, async (userids) => {
        const found = await lookupMembers(job, userids);
        for (const [k, v] of found) lookups.set(k, v);
        return found;
      }, false);
      const summary = { ...summarise(report), members: Object.fromEntries(lookups) };
      await store.transition(job.id, ['validating'], 'validated', { report, summary, processedRows: job.totalRows, error: null });
    } catch (error) {
      // The cause (often SQL) goes to the log only; the person sees what to do.
      logger.warn('binding import validation failed', { importId: job.id, error: (error as Error).message });
      const message = error instanceof DomainError ? error.message : '校验失败，请稍后重新导入 (validation failed, please import again)';
      await store.transition(job.id, ['validating'], 'failed', { error: message });
    }
  }

  async function runCommit(job: ImportJob, actor: Actor): Promise<void> {
    const stored = ((job.summary?.members ?? {}) as Record<string, MemberLookup>);
    const memberOf = async (userids: string[]) => new Map(userids.map((u) => [u, stored[u] ?? { userid: u, found: false as const }]));
    try {
      let summary: ImportSummary | undefined;
      await writer.withEffects(async (trx, effects) => {
        const active = Object.values(stored).filter((m): m is Extract<MemberLookup, { found: true }> => m.found && m.status === 1);
        const accounts = await bindingsStore.upsertAccounts(trx, active);
        await bindingsStore.lockAccounts(trx, [...accounts.values()].map((a) => a.id));
        const { report, plans } = await validate(trx, actor, job.rows, memberOf, true);
        summary = summarise(report);
        if (report.some((r) => r.status === 'error')) throw new ImportRejected(report, summary);
        for (const plan of plans) {
          for (const insert of plan.inserts) {
            if (insert.accountId.startsWith('pending:')) insert.accountId = accounts.get(insert.userid)!.id;
          }
        }
        let last = 0;
        await writer.applyPlans(trx, authorOf(actor), plans, effects, `批量导入 ${job.fileName}`, (done, total) => {
          if (Date.now() - last < 250) return;
          last = Date.now();
          // Progress is informational: a failed write must not become an unhandled rejection.
          store.progress(job.id, Math.floor(job.totalRows * (done / total))).catch(() => undefined);
        });
      });
      await store.transition(job.id, ['committing'], 'committed', { summary, processedRows: job.totalRows, committed: true, error: null });
    } catch (error) {
      if (error instanceof ImportRejected) {
        await store.transition(job.id, ['committing'], 'validated', {
          report: error.report,
          summary: { ...error.summary, members: stored },
          processedRows: job.totalRows,
          error: '提交前数据已变化，请查看最新报告后重新提交',
        });
        return;
      }
      logger.warn('binding import commit failed', { importId: job.id, error: (error as Error).message });
      const message = error instanceof DomainError ? error.message : '提交失败，未做任何更改';
      await store.transition(job.id, ['committing'], 'failed', { error: message });
    }
  }

  function start(id: string, run: () => Promise<void>) {
    if (running.has(id)) return;
    const promise = run().finally(() => running.delete(id));
    running.set(id, promise);
  }

  /** What the client sees: no stored WeCom lookups, report rows only once validated. */
  function view(job: ImportJob): ImportJobBody {
    const { members: _members, ...summary } = (job.summary ?? {}) as Record<string, unknown>;
    return {
      id: job.id,
      fileName: job.fileName,
      format: job.format,
      status: job.status,
      totalRows: job.totalRows,
      processedRows: job.processedRows,
      summary: job.summary ? (summary as unknown as ImportSummary) : null,
      report: job.report as ImportReportRow[] | null,
      error: job.error,
      createdAt: job.createdAt.toISOString(),
      committedAt: job.committedAt?.toISOString() ?? null,
    };
  }

  async function load(actor: Actor, id: string): Promise<ImportJob> {
    const job = /^[0-9a-f-]{36}$/i.test(id) ? await store.get(id, actor.id) : null;
    if (!job) throw notFound(`导入任务 ${id} 不存在`, 'import_not_found');
    return job;
  }

  return {
    async create(actor: Actor, input: { fileName: string; format: ImportFormat; content: Buffer }) {
      const rows = await parseImportFile(input.content, input.format);
      const job = await store.create(actor, { fileName: input.fileName, format: input.format, rows });
      start(job.id, () => runValidation(job));
      return view(job);
    },

    async get(actor: Actor, id: string) {
      const job = await load(actor, id);
      if ((job.status === 'validating' || job.status === 'committing') && !running.has(id) && (await store.claimStale(id, STALE_RUNNER_MS))) {
        logger.info('resuming binding import', { importId: id, status: job.status });
        start(id, () => (job.status === 'validating' ? runValidation(job) : runCommit(job, actor)));
      }
      return view(job);
    },

    async commit(actor: Actor, id: string) {
      const job = await load(actor, id);
      if (job.status === 'committed') throw conflict('该导入已提交', 'import_already_committed');
      if (job.status !== 'validated') throw conflict('导入尚未校验完成', 'import_not_validated');
      if (((job.summary?.errors as number) ?? 0) > 0) {
        throw conflict(`有 ${String(job.summary?.errors)} 行错误，请修正文件后重新导入`, 'import_has_errors');
      }
      if (!(await store.transition(id, ['validated'], 'committing', { processedRows: 0 }))) throw conflict('该导入正在提交', 'import_busy');
      const claimed = { ...job, status: 'committing' as const, processedRows: 0 };
      start(id, () => runCommit(claimed, actor));
      return view(claimed);
    },

    async settled(id?: string): Promise<void> {
      await Promise.allSettled(id ? [running.get(id)] : [...running.values()]);
    },
  };
}

