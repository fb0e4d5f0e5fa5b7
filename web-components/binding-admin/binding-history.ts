import { LitElement, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import '../shared/localize.js';
import { apiFetch } from '../shared/api.js';
import { loadFailed } from '../shared/errors.js';
import { baseStyles } from '../shared/styles.js';
import { localTime } from '../shared/time.js';
import { bindingAdminStyles } from './binding-admin.styles.js';
import type { AuditRow, HistoryBinding, StoreHistoryBody } from '../../plugin/contract/index.js';

const when = localTime;

/** History drawer of <wss-binding-admin>: a store's binding history and its audit trail. */
@localized()
@customElement('wss-binding-history')
export class WssBindingHistory extends LitElement {
  static override styles = [baseStyles, bindingAdminStyles];

  @property({ attribute: 'api-base' }) apiBase = '/plugins/wecom-store-service';

  @state() private store: { id: string; name: string } | null = null;
  @state() private bindings: HistoryBinding[] = [];
  @state() private audit: AuditRow[] = [];
  @state() private error = '';

  @query('dialog') private dialog!: HTMLDialogElement;

  async open(store: { id: string; name: string }): Promise<void> {
    this.store = store;
    this.bindings = [];
    this.audit = [];
    this.error = '';
    await this.updateComplete;
    this.dialog.showModal();
    try {
      const history = await apiFetch<StoreHistoryBody>(this.apiBase, `/stores/${encodeURIComponent(store.id)}/history`);
      this.bindings = history.bindings;
      this.audit = history.audit;
    } catch (err) {
      this.error = loadFailed(err);
    }
  }

  private actionText(action: string): string {
    const texts: Record<string, string> = {
      'binding.bind': msg('绑定主账号', { id: 'bindingHistory.bind' }),
      'binding.add_backup': msg('添加备用账号', { id: 'bindingHistory.addBackup' }),
      'binding.promote': msg('升为主账号', { id: 'bindingHistory.promote' }),
      'binding.rebind': msg('更换主账号', { id: 'bindingHistory.rebind' }),
      'binding.replace': msg('替换已满账号', { id: 'bindingHistory.replace' }),
      'binding.unbind': msg('解绑', { id: 'bindingHistory.unbind' }),
      'entry.show': msg('展示入口', { id: 'bindingHistory.show' }),
      'entry.hide': msg('隐藏入口', { id: 'bindingHistory.hide' }),
      'entry.auto_hide': msg('入口自动隐藏', { id: 'bindingHistory.autoHide' }),
      'live_code.route': msg('活码转向', { id: 'bindingHistory.route' }),
    };
    return texts[action] ?? action;
  }

  override render() {
    return html`<dialog class="drawer" aria-labelledby="history-title">
      ${this.store
        ? html`<h2 id="history-title">${msg(str`变更历史：${this.store.name}（${this.store.id}）`, { id: 'bindingHistory.title' })}</h2>
            ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
            <h3>${msg('账号绑定', { id: 'bindingHistory.bindings' })}</h3>
            <table data-testid="history-bindings">
              <thead><tr>
                <th scope="col">${msg('企微账号', { id: 'bindingHistory.account' })}</th>
                <th scope="col">${msg('角色', { id: 'bindingHistory.role' })}</th>
                <th scope="col">${msg('绑定时间', { id: 'bindingHistory.boundAt' })}</th>
                <th scope="col">${msg('结束', { id: 'bindingHistory.ended' })}</th>
              </tr></thead>
              <tbody>${this.bindings.map(
                (b) => html`<tr><td>${b.name} (${b.userid})</td><td>${b.role}</td><td>${when(b.boundAt)} · ${b.boundBy}</td>
                  <td>${b.endedAt ? `${when(b.endedAt)} · ${b.endReason ?? ''}` : msg('在用', { id: 'bindingHistory.active' })}</td></tr>`,
              )}</tbody>
            </table>
            <h3>${msg('操作记录', { id: 'bindingHistory.audit' })}</h3>
            <ul class="plain" data-testid="history-audit">
              ${this.audit.map(
                (a) => html`<li data-action=${a.action}><strong>${this.actionText(a.action)}</strong> · ${a.actorName} · ${when(a.at)}
                  ${a.reason ? html`<span class="reason">${a.reason}</span>` : nothing}</li>`,
              )}
            </ul>
            <div class="row-end"><button @click=${() => this.dialog.close()}>${msg('关闭', { id: 'bindingHistory.close' })}</button></div>`
        : nothing}
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'wss-binding-history': WssBindingHistory;
  }
}
