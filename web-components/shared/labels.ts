import { msg, str } from '@lit/localize';

/** People's words for the codes the server sends (zh-CN first; English in common.en.ts). */
export function memberStatusText(status: number | null | undefined): string {
  switch (status) {
    case 1: return msg('已激活', { id: 'common.status.active' });
    case 2: return msg('已停用', { id: 'common.status.disabled' });
    case 4: return msg('未激活', { id: 'common.status.inactive' });
    case 5: return msg('已离职', { id: 'common.status.left' });
    default: return msg('状态未知', { id: 'common.status.unknown' });
  }
}

export function roleText(role: string): string {
  if (role === 'primary') return msg('主账号', { id: 'common.role.primary' });
  if (role === 'backup') return msg('备用', { id: 'common.role.backup' });
  return msg('已退役', { id: 'common.role.retired' });
}

const n = (v: number) => v.toLocaleString('en-US');

/** "客户 3,620 / 5,000（72.4%）" */
export function fillText(fill: { count: number; limit: number; percent: number }): string {
  return msg(str`客户 ${n(fill.count)} / ${n(fill.limit)}（${fill.percent}%）`, { id: 'common.fill' });
}

/** A list of store ids for a sentence: the first few, then "等 N 家". */
export function storeList(ids: string[], max = 5): string {
  const shown = ids.slice(0, max).join('、');
  return ids.length > max ? msg(str`${shown} 等 ${ids.length} 家`, { id: 'common.storeListMore' }) : shown;
}

export { localTime } from './time.js';
