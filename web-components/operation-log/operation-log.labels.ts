import { msg, str } from '@lit/localize';
import type { OperationLogItem } from '../../plugin/contract/index.js';

/** The action's name in the page's language (the server's zh-CN label for an action this element does not know). */
export function actionLabel(action: string, fallback: string): string {
  const labels: Record<string, string> = {
    'binding.bind': msg('绑定主账号', { id: 'operationLog.a.bind' }),
    'binding.add_backup': msg('添加备用账号', { id: 'operationLog.a.addBackup' }),
    'binding.promote': msg('升为主账号', { id: 'operationLog.a.promote' }),
    'binding.rebind': msg('更换主账号', { id: 'operationLog.a.rebind' }),
    'binding.replace': msg('替换已满账号', { id: 'operationLog.a.replace' }),
    'binding.unbind': msg('解绑账号', { id: 'operationLog.a.unbind' }),
    'entry.show': msg('展示入口', { id: 'operationLog.a.show' }),
    'entry.hide': msg('隐藏入口', { id: 'operationLog.a.hide' }),
    'entry.auto_hide': msg('入口自动隐藏', { id: 'operationLog.a.autoHide' }),
    'live_code.route': msg('活码转向', { id: 'operationLog.a.route' }),
    'account.sharing': msg('账号共享设置', { id: 'operationLog.a.sharing' }),
    'capacity.limit.update': msg('修改容量上限', { id: 'operationLog.a.limit' }),
    'review.approve': msg('审核通过', { id: 'operationLog.a.approve' }),
    'review.reject': msg('审核退回', { id: 'operationLog.a.reject' }),
    'review.resubmit': msg('重新提交审核', { id: 'operationLog.a.resubmit' }),
    'capacity.enterprise_scale.update': msg('修改企业客户规模', { id: 'operationLog.a.enterpriseScale' }),
    'handover.propose': msg('提议转接客户', { id: 'operationLog.a.handoverPropose' }),
    'handover.approve': msg('批准转接客户', { id: 'operationLog.a.handoverApprove' }),
    'handover.dismiss': msg('不转接客户', { id: 'operationLog.a.handoverDismiss' }),
    'handover.complete': msg('客户转接完成', { id: 'operationLog.a.handoverComplete' }),
  };
  return labels[action] ?? fallback;
}

interface View {
  primary?: string | null;
  backups?: string[];
  retired?: string[];
}

/** Old → new of a binding, in the page's language (account names as the server gave them in `summary` are zh-CN only). */
function bindingLine(before: View | undefined, after: View | undefined): string {
  const b = before ?? {};
  const a = after ?? {};
  const none = msg('无', { id: 'operationLog.none' });
  const parts: string[] = [];
  if ((b.primary ?? null) !== (a.primary ?? null)) parts.push(msg(str`主账号 ${b.primary ?? none} → ${a.primary ?? none}`, { id: 'operationLog.primaryChange' }));
  const delta = (was: string[] = [], now: string[] = []) => [...now.filter((u) => !was.includes(u)).map((u) => `+${u}`), ...was.filter((u) => !now.includes(u)).map((u) => `−${u}`)].join(' ');
  const backups = delta(b.backups, a.backups);
  if (backups) parts.push(msg(str`备用 ${backups}`, { id: 'operationLog.backupChange' }));
  const retired = delta(b.retired, a.retired);
  if (retired) parts.push(msg(str`退役 ${retired}`, { id: 'operationLog.retiredChange' }));
  return parts.join('；');
}

/** What changed: the server's zh-CN line (with account names), or the element's own for English. */
export function changeLine(item: OperationLogItem): string {
  if (!document.documentElement.lang.toLowerCase().startsWith('en')) return item.summary;
  const before = (item.before ?? {}) as Record<string, unknown>;
  const after = (item.after ?? {}) as Record<string, unknown>;
  if (item.action.startsWith('binding.')) return bindingLine(before as View, after as View);
  if (item.action.startsWith('review.') && before.binding !== undefined) return bindingLine(before.binding as View, after.binding as View);
  if (item.action.startsWith('entry.')) return after.visible ? msg('入口已展示', { id: 'operationLog.entryShown' }) : msg('入口已隐藏', { id: 'operationLog.entryHidden' });
  return item.summary;
}
