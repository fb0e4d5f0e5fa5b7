import { html, nothing } from 'lit';
import { msg } from '@lit/localize';
import { fillText, memberStatusText } from '../shared/labels.js';
import type { BindingView, ReviewItem } from '../../plugin/contract/index.js';

/** What a branch did, in words. */
export function actionText(action: string): string {
  const texts: Record<string, string> = {
    bind: msg('绑定主账号', { id: 'reviewDiff.bind' }),
    add_backup: msg('添加备用账号', { id: 'reviewDiff.addBackup' }),
    promote: msg('升为主账号', { id: 'reviewDiff.promote' }),
    rebind: msg('更换主账号', { id: 'reviewDiff.rebind' }),
    replace: msg('替换已满账号', { id: 'reviewDiff.replace' }),
    unbind: msg('解绑账号', { id: 'reviewDiff.unbind' }),
    resubmit: msg('重新提交审核', { id: 'reviewDiff.resubmit' }),
  };
  return texts[action] ?? msg('其他变更', { id: 'reviewDiff.other' });
}

/** Why a decision skipped a store. */
export function skipText(problem: string | undefined): string {
  switch (problem) {
    case 'review_changed': return msg('分公司刚刚又修改了绑定，请查看最新内容后再审核', { id: 'reviewDiff.changed' });
    case 'review_closed': return msg('该门店已审核过', { id: 'reviewDiff.closed' });
    case 'store_closed': return msg('门店已关店，不能展示入口', { id: 'reviewDiff.storeClosed' });
    case 'no_active_account': return msg('没有可用的企微账号（已停用或离职），不能展示入口', { id: 'reviewDiff.noAccount' });
    default: return msg('审核记录不存在', { id: 'reviewDiff.notFound' });
  }
}

/** Old → new accounts of each role, then every account of the diff with its WeCom status and fill. */
export function renderDiff(item: ReviewItem) {
  const accounts = new Map(item.accounts.map((a) => [a.userid, a]));
  const label = (userid: string) => {
    const a = accounts.get(userid);
    return a?.name ? `${a.name}(${userid})` : userid;
  };
  const list = (ids: string[]) => (ids.length ? ids.map(label).join('、') : msg('无', { id: 'reviewDiff.none' }));
  const row = (title: string, pick: (v: BindingView) => string[], role: string) => {
    const before = pick(item.baseline);
    const after = pick(item.submitted);
    const changed = before.join() !== after.join();
    return html`<tr class=${changed ? 'changed' : ''} data-role=${role}>
      <th scope="row">${title}</th>
      <td class="old">${list(before)}</td>
      <td aria-hidden="true">→</td>
      <td class="new">${list(after)}</td>
    </tr>`;
  };
  return html`<table class="diff" data-testid="diff">
      <thead><tr><th scope="col"></th><th scope="col">${msg('上次通过', { id: 'reviewDiff.before' })}</th><th></th><th scope="col">${msg('本次提交', { id: 'reviewDiff.after' })}</th></tr></thead>
      <tbody>
        ${row(msg('主账号', { id: 'reviewDiff.primary' }), (v) => (v.primary ? [v.primary] : []), 'primary')}
        ${row(msg('备用账号', { id: 'reviewDiff.backups' }), (v) => v.backups, 'backups')}
        ${item.baseline.retired.length || item.submitted.retired.length ? row(msg('退役账号', { id: 'reviewDiff.retired' }), (v) => v.retired, 'retired') : nothing}
      </tbody>
    </table>
    <ul class="accounts" aria-label=${msg('涉及的企微账号', { id: 'reviewDiff.accounts' })}>
      ${item.accounts.map(
        (a) => html`<li data-userid=${a.userid}>
          <span>${a.name || a.userid} <span class="muted">${a.userid}</span></span>
          <span class="tag ${a.wecomStatus === 1 ? 'ok' : 'off'}">${memberStatusText(a.wecomStatus)}</span>
          <span class=${a.level === 'ok' ? '' : a.level === 'warning' ? 'warn' : 'error'} data-testid="account-fill">${a.countedAt ? fillText(a) : msg('客户数未统计', { id: 'reviewDiff.notCounted' })}</span>
        </li>`,
      )}
    </ul>`;
}
