import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import type { Actor } from '../host/adapter.js';
import type { OperationLogBody, OperationLogItem } from '../contract/index.js';
import { assertBranchInScope, scopeOf } from '../access/scope.js';
import { ACTION_LABELS, actionLabel, describeChange, useridsOf } from './action-labels.js';
import { formatLocalDateTime } from '../core/local-time.js';
import type { AuditRecord, OperationLogFilter, OperationLogStore } from './operation-log.store.js';
import { sheetRow } from '../core/sheet-cells.js';

/** Exports stop here (newest rows first); a wider period is exported in parts. */
export const MAX_EXPORT_ROWS = 100_000;
const BATCH = 5_000;

const HEADERS = ['时间', '操作人', '操作', '门店编号', '门店', '分公司', '变更内容', '原因'] as const;

export interface OperationLogService {
  list(actor: Actor, filter: OperationLogFilter & { page: number; pageSize: number }): Promise<OperationLogBody>;
  /** The filtered log as XLSX or CSV (UTF-8 with BOM), newest first, times in the configured time zone. */
  exportLog(actor: Actor, filter: OperationLogFilter, format: 'xlsx' | 'csv'): Promise<Buffer>;
}

export function createOperationLogService(deps: { store: OperationLogStore; timezone: string }): OperationLogService {
  const { store } = deps;
  const localTime = (at: Date) => formatLocalDateTime(at, deps.timezone, { seconds: true });

  async function describe(rows: AuditRecord[]): Promise<OperationLogItem[]> {
    const names = await store.accountNames(rows.flatMap((r) => useridsOf(r.before, r.after)));
    return rows.map((r) => ({
      ...r,
      at: new Date(r.at).toISOString(),
      actionLabel: actionLabel(r.action),
      summary: describeChange(r.action, r.before, r.after, names),
    }));
  }

  function scoped(actor: Actor, filter: OperationLogFilter) {
    const scope = scopeOf(actor);
    if (filter.branchId) assertBranchInScope(scope, filter.branchId);
    return scope;
  }

  return {
    async list(actor, filter) {
      const scope = scoped(actor, filter);
      const [{ total, rows }, actors] = await Promise.all([store.page(scope, filter, filter.page, filter.pageSize), store.actors(scope)]);
      return {
        total,
        items: await describe(rows),
        page: filter.page,
        pageSize: filter.pageSize,
        actors,
        actions: Object.entries(ACTION_LABELS).map(([action, label]) => ({ action, label })),
      };
    },

    async exportLog(actor, filter, format) {
      const scope = scoped(actor, filter);
      const lines: string[][] = [];
      let last: string | null = null;
      while (lines.length < MAX_EXPORT_ROWS) {
        const batch = await store.batch(scope, filter, last, Math.min(BATCH, MAX_EXPORT_ROWS - lines.length));
        for (const item of await describe(batch)) {
          lines.push([localTime(new Date(item.at)), item.actorName, item.actionLabel, item.storeId ?? '', item.storeName ?? '', item.branchName ?? '', item.summary, item.reason ?? '']);
        }
        if (batch.length < BATCH) break;
        last = batch[batch.length - 1].id;
      }
      const cells = lines.map(sheetRow);
      if (format === 'csv') return Buffer.from('\uFEFF' + stringify([[...HEADERS], ...cells]), 'utf8');
      const workbook = new ExcelJS.Workbook();
      const sheet = workbook.addWorksheet('操作日志');
      sheet.addRow([...HEADERS]).font = { bold: true };
      sheet.addRows(cells);
      sheet.columns.forEach((c, i) => (c.width = [20, 24, 14, 12, 16, 14, 48, 30][i]));
      sheet.views = [{ state: 'frozen', ySplit: 1 }];
      return Buffer.from(await workbook.xlsx.writeBuffer());
    },
  };
}
