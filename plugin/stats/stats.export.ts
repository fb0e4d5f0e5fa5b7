import { PassThrough, type Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify';
import type { Logger } from '../core/logger.js';
import { sheetRow } from '../core/sheet-cells.js';
import type { FlatRow } from './stats.store.js';
import type { ResolvedStatsFilter, StatsOverview } from './stats.service.js';

/** Flat sheet columns: one row per store × day, pivot-table friendly (no merged cells, one header row). */
export const FLAT_COLUMNS: { key: keyof FlatRow; header: string; width: number }[] = [
  { key: 'day', header: '日期', width: 12 },
  { key: 'branchId', header: '分公司编号', width: 12 },
  { key: 'branchName', header: '分公司', width: 14 },
  { key: 'storeId', header: '门店编号', width: 12 },
  { key: 'storeName', header: '门店', width: 16 },
  { key: 'isOpen', header: '营业中', width: 8 },
  { key: 'bound', header: '已绑定可用账号(当前)', width: 16 },
  { key: 'shown', header: '入口展示(当前)', width: 14 },
  { key: 'orderResultVisitors', header: '下单结果页访客', width: 14 },
  { key: 'entryClickers', header: '点击入口访客', width: 12 },
  { key: 'guideVisitors', header: '引导页访客', width: 12 },
  { key: 'addClickers', header: '点击添加访客', width: 12 },
  { key: 'confirmedAdds', header: '确认添加客户', width: 12 },
  { key: 'guideAdds', header: '引导页访客中已添加', width: 16 },
  { key: 'directAdds', header: '无引导页访问的添加客户', width: 18 },
];

const yesNo = (v: boolean) => (v ? '是' : '否');
const percent = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

function flatValues(row: FlatRow): (string | number)[] {
  return sheetRow(FLAT_COLUMNS.map(({ key }) => {
    const v = row[key];
    return typeof v === 'boolean' ? yesNo(v) : v;
  }));
}

/** The summary sheet's rows, shared by XLSX (as a sheet) and tests. */
export function summaryRows(overview: StatsOverview, scopeLabel: string): (string | number)[][] {
  const f = overview.funnel;
  const r = overview.rates;
  return [
    ['门店企微数据统计'],
    ['统计区间', `${overview.period.from} ~ ${overview.period.to}`, `${overview.period.days} 天`],
    ['统计范围', scopeLabel],
    ['口径', '访客在所选区间内、所选范围内去重：同一访客在区间内多天出现只计一次，不是每日人数之和；按日明细为当日去重。日期按 Asia/Shanghai 自然日。'],
    ['绑定口径', '绑定率 = 有生效中主账号或备用账号且该账号企业微信状态可用的营业门店 / 营业门店；已停用、未激活、已离职或已删除的账号不算；已关闭门店不计入分子分母；为导出时的当前状态。'],
    ['添加口径', '添加率 = 引导页访客中其引导访问通过 state 归因到添加的人数 / 引导页访客（不超过 100%）；无引导页访问的添加（门店活码等渠道）单独列出。'],
    ['分公司口径', '门店的数据归属于事件当天门店所属的分公司（门店调整分公司后，历史数据留在原分公司）。'],
    [],
    ['转化漏斗', '人数'],
    ['下单结果页访客', f.orderResultVisitors],
    ['点击入口访客', f.entryClickers],
    ['引导页访客', f.guideVisitors],
    ['点击添加访客', f.addClickers],
    ['确认添加客户', f.confirmedAdds],
    ['引导页访客中已添加', f.guideAdds],
    ['无引导页访问的添加客户', f.directAdds],
    [],
    ['指标', '数值'],
    ['绑定率', percent(overview.binding.bindingRate)],
    ['仅绑定不可用账号的门店', overview.binding.unusableOnlyStores],
    ['入口点击率', percent(r.entryClickRate)],
    ['添加点击率', percent(r.addClickRate)],
    ['添加率', percent(r.addRate)],
    [],
    ['分公司', '营业门店', '已绑定门店', '绑定率', '仅绑定不可用账号', '入口展示门店', '下单结果页访客', '点击入口访客', '引导页访客', '点击添加访客', '确认添加客户', '引导页访客中已添加', '无引导页访问的添加客户', '入口点击率', '添加点击率', '添加率'],
    ...overview.branches.map((b) => [
      b.branchName,
      b.openStores,
      b.boundStores,
      percent(b.bindingRate),
      b.unusableOnlyStores,
      b.shownStores,
      b.funnel.orderResultVisitors,
      b.funnel.entryClickers,
      b.funnel.guideVisitors,
      b.funnel.addClickers,
      b.funnel.confirmedAdds,
      b.funnel.guideAdds,
      b.funnel.directAdds,
      percent(b.rates.entryClickRate),
      percent(b.rates.addClickRate),
      percent(b.rates.addRate),
    ]),
  ];
}

/**
 * Streams an XLSX (summary sheet first, then the flat sheet) into `out`. Rows are committed as
 * they are read, so a 5,000-store × 90-day export never sits in memory.
 */
export async function writeXlsx(
  out: Writable,
  data: { overview: StatsOverview; scopeLabel: string; rows: AsyncIterable<FlatRow[]> },
): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const summary = workbook.addWorksheet('汇总');
  summary.columns = [{ width: 18 }, { width: 24 }, { width: 14 }, { width: 12 }, { width: 14 }, { width: 16 }, { width: 14 }];
  for (const values of summaryRows(data.overview, data.scopeLabel)) summary.addRow(sheetRow(values)).commit();
  summary.commit();

  const flat = workbook.addWorksheet('明细', { views: [{ state: 'frozen', ySplit: 1 }] });
  flat.columns = FLAT_COLUMNS.map((c) => ({ header: c.header, key: c.key, width: c.width }));
  flat.getRow(1).font = { bold: true };
  flat.getRow(1).commit();
  for await (const batch of data.rows) {
    for (const row of batch) flat.addRow(flatValues(row)).commit();
  }
  flat.commit();
  await workbook.commit();
}

/** Streams the flat sheet as CSV (UTF-8 with BOM so Excel reads the Chinese headers). */
export async function writeCsv(out: Writable, rows: AsyncIterable<FlatRow[]>): Promise<void> {
  const csv = stringify({ bom: true, header: true, columns: FLAT_COLUMNS.map((c) => c.header) });
  csv.pipe(out);
  for await (const batch of rows) {
    for (const row of batch) {
      if (!csv.write(flatValues(row))) await new Promise((resolve) => csv.once('drain', resolve));
    }
  }
  csv.end();
}

/** Starts writing in the background; a failure mid-stream is logged and ends the response. */
export function streamExport(
  logger: Logger,
  resolved: ResolvedStatsFilter,
  write: (out: PassThrough) => Promise<void>,
): PassThrough {
  const out = new PassThrough();
  write(out).catch((err: unknown) => {
    logger.error('metrics export failed', { from: resolved.from, to: resolved.to, error: err instanceof Error ? err.message : String(err) });
    out.destroy(err instanceof Error ? err : new Error(String(err)));
  });
  return out;
}
