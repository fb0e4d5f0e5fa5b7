import type { Knex } from 'knex';
import type { Actor } from '../host/adapter.js';
import { assertBranchInScope, scopeOf } from '../access/scope.js';
import type { BindingsStore } from './bindings.store.js';
import type { StoreFilter } from './store-filter.js';
import type { SheetValue } from '../core/sheet-cells.js';
import { writeSheet, type ImportFormat } from './import-file.js';
import { AUTO_HIDE_TEXT, type AutoHideReason } from '../entry-visibility/index.js';
import { formatLocalDateTime } from '../core/local-time.js';

const EXPORT_HEADERS = [
  '门店编号', '门店名称', '分公司编号', '分公司', '营业状态', '是否绑定', '主账号', '主账号名称', '备用账号', '已退役账号',
  '入口状态', '入口说明', '自动隐藏原因', '入口变更时间', '活码state',
] as const;

const PAGE = 5000;

export interface ExportService {
  exportBindings(actor: Actor, filter: Pick<StoreFilter, 'branchId' | 'bound' | 'visible'>, format: ImportFormat): Promise<Buffer>;
}

/** Bindings export: one flat row per store (pivot-table friendly), filters as in the store list. */
export function createExportService(deps: { db: Knex; store: BindingsStore; timezone: string }): ExportService {
  return {
    async exportBindings(actor, filter, format) {
      const scope = scopeOf(actor);
      if (filter.branchId) assertBranchInScope(scope, filter.branchId);
      const rows: SheetValue[][] = [];
      let after: string | null = null;
      for (;;) {
        const page = await deps.store.exportPage(deps.db, scope, filter, after, PAGE);
        for (const s of page) {
          const bound = Boolean(s.primaryUserid || s.backups);
          rows.push([
            s.id, s.name, s.branchId, s.branchName, s.isOpen ? '营业' : '已关店', bound ? '已绑定' : '未绑定',
            s.primaryUserid ?? '', s.primaryName ?? '', s.backups ?? '', s.retired ?? '',
            s.visible ? '已展示' : '已隐藏', s.entryReason ?? '', s.hiddenAutomatically ? (AUTO_HIDE_TEXT[s.hiddenAutomatically as AutoHideReason] ?? s.hiddenAutomatically) : '',
            formatLocalDateTime(s.entryChangedAt, deps.timezone), s.liveCodeState ?? '',
          ]);
        }
        if (page.length < PAGE) break;
        after = page[page.length - 1].id;
      }
      return writeSheet(format, '门店绑定', EXPORT_HEADERS, rows);
    },
  };
}

