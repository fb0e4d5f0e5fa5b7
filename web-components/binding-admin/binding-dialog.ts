import { LitElement, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import '../shared/localize.js';
import { ApiError, apiFetch, queryString } from '../shared/api.js';
import { baseStyles } from '../shared/styles.js';
import { bindingAdminStyles } from './binding-admin.styles.js';
import type { AccountCheckBody, StoreDetailBody } from '../../plugin/contract/index.js';

interface StoreRef {
  id: string;
  name: string;
}
type Check = Pick<AccountCheckBody, 'found' | 'name' | 'statusText' | 'canBind' | 'message'>;
type Binding = StoreDetailBody['bindings'][number];
type Mode = 'primary' | 'backup' | 'rebind' | 'replace';

/**
 * Bind dialog of <wss-binding-admin>: current bindings (unbind), and a form whose userid is checked
 * against WeCom as it is typed (debounced).
 *
 * @fires wss-binding-change - detail `{ storeId }` after a successful change.
 */
@localized()
@customElement('wss-binding-dialog')
export class WssBindingDialog extends LitElement {
  static override styles = [baseStyles, bindingAdminStyles];

  @property({ attribute: 'api-base' }) apiBase = '/plugins/wecom-store-service';

  @state() private store: StoreRef | null = null;
  @state() private bindings: Binding[] = [];
  @state() private userid = '';
  @state() private mode: Mode = 'primary';
  @state() private check: Check | null = null;
  @state() private checking = false;
  @state() private busy = false;
  @state() private error = '';

  @query('dialog') private dialog!: HTMLDialogElement;
  private timer?: number;
  private checkSeq = 0;

  /** Opens the dialog for a store. */
  async open(store: StoreRef): Promise<void> {
    this.store = store;
    this.userid = '';
    this.check = null;
    this.error = '';
    await this.updateComplete;
    this.dialog.showModal();
    await this.loadBindings();
  }

  private get hasPrimary() {
    return this.bindings.some((b) => b.role === 'primary');
  }

  private async loadBindings() {
    const detail = await apiFetch<StoreDetailBody>(this.apiBase, `/stores/${encodeURIComponent(this.store!.id)}/bindings`);
    this.bindings = detail.bindings;
    this.mode = this.hasPrimary ? 'backup' : 'primary';
  }

  private onUserid(e: Event) {
    this.userid = (e.target as HTMLInputElement).value.trim();
    this.check = null;
    window.clearTimeout(this.timer);
    if (!this.userid) return;
    this.timer = window.setTimeout(() => void this.runCheck(), 400);
  }

  private async runCheck() {
    const seq = ++this.checkSeq;
    this.checking = true;
    try {
      const check = await apiFetch<Check>(this.apiBase, `/accounts/${encodeURIComponent(this.userid)}/check${queryString({ storeId: this.store?.id })}`);
      if (seq === this.checkSeq) this.check = check;
    } catch (err) {
      if (seq === this.checkSeq) this.check = { found: false, name: null, statusText: null, canBind: false, message: (err as Error).message };
    } finally {
      if (seq === this.checkSeq) this.checking = false;
    }
  }

  private async submit(e: Event) {
    e.preventDefault();
    if (!this.store || !this.userid) return;
    this.busy = true;
    this.error = '';
    const path = `/stores/${encodeURIComponent(this.store.id)}`;
    try {
      if (this.mode === 'primary' || this.mode === 'backup') {
        await apiFetch(this.apiBase, `${path}/bindings`, { method: 'POST', body: JSON.stringify({ userid: this.userid, role: this.mode }) });
      } else {
        await apiFetch(this.apiBase, `${path}/primary`, { method: 'PUT', body: JSON.stringify({ userid: this.userid, mode: this.mode }) });
      }
      this.done();
    } catch (err) {
      const fields = err instanceof ApiError ? (err.details as { fields?: Record<string, string> } | undefined)?.fields : undefined;
      this.error = fields?.userid ?? (err as Error).message;
    } finally {
      this.busy = false;
    }
  }

  private async unbind(userid: string) {
    if (!this.store) return;
    this.error = '';
    try {
      await apiFetch(this.apiBase, `/stores/${encodeURIComponent(this.store.id)}/bindings/${encodeURIComponent(userid)}`, { method: 'DELETE' });
      await this.loadBindings();
      this.dispatchEvent(new CustomEvent('wss-binding-change', { detail: { storeId: this.store.id }, bubbles: true, composed: true }));
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  private done() {
    const storeId = this.store!.id;
    this.dialog.close();
    this.dispatchEvent(new CustomEvent('wss-binding-change', { detail: { storeId }, bubbles: true, composed: true }));
  }

  private roleText(role: Binding['role']) {
    return role === 'primary' ? msg('主账号', { id: 'bindingDialog.primary' }) : role === 'backup' ? msg('备用', { id: 'bindingDialog.backup' }) : msg('已退役（仍服务老客户）', { id: 'bindingDialog.retired' });
  }

  private renderCheck() {
    if (this.checking) return html`<span class="muted">${msg('正在向企业微信核对…', { id: 'bindingDialog.checking' })}</span>`;
    if (!this.check) return nothing;
    if (this.check.canBind) return html`<span class="ok">✓ ${this.check.name}（${this.check.statusText}）</span>`;
    return html`<span class="error">${this.check.message}</span>`;
  }

  override render() {
    const modes: [Mode, string][] = this.hasPrimary
      ? [
          ['backup', msg('添加备用账号', { id: 'bindingDialog.addBackup' })],
          ['rebind', msg('更换主账号（原账号解绑）', { id: 'bindingDialog.rebind' })],
          ['replace', msg('替换已满账号（原账号保留为退役）', { id: 'bindingDialog.replace' })],
        ]
      : [
          ['primary', msg('主账号', { id: 'bindingDialog.primary' })],
          ['backup', msg('备用', { id: 'bindingDialog.backup' })],
        ];
    return html`<dialog aria-labelledby="bind-title" @close=${() => (this.store = null)}>
      ${this.store
        ? html`<h2 id="bind-title">${msg(str`绑定企微账号：${this.store.name}（${this.store.id}）`, { id: 'bindingDialog.title' })}</h2>
            <ul class="plain" aria-label=${msg('当前绑定', { id: 'bindingDialog.current' })}>
              ${this.bindings.map(
                (b) => html`<li data-userid=${b.userid}>${b.name} (${b.userid}) · ${this.roleText(b.role)}
                  <button data-action="unbind" aria-label=${msg(str`解绑 ${b.userid}`, { id: 'bindingDialog.unbindLabel' })} @click=${() => this.unbind(b.userid)}>${msg('解绑', { id: 'bindingDialog.unbind' })}</button></li>`,
              )}
              ${this.bindings.length ? nothing : html`<li class="muted">${msg('尚未绑定', { id: 'bindingDialog.none' })}</li>`}
            </ul>
            <form class="form" @submit=${this.submit}>
              <label>${msg('企微账号（成员 userid）', { id: 'bindingDialog.userid' })}
                <input name="userid" data-field="userid" autocomplete="off" required .value=${this.userid} @input=${this.onUserid} aria-describedby="check" /></label>
              <div id="check" class="check" aria-live="polite" data-testid="check">${this.renderCheck()}</div>
              <label>${msg('方式', { id: 'bindingDialog.mode' })}
                <select data-field="mode" @change=${(e: Event) => (this.mode = (e.target as HTMLSelectElement).value as Mode)}>
                  ${modes.map(([value, text]) => html`<option value=${value} ?selected=${value === this.mode}>${text}</option>`)}
                </select></label>
              <p class="muted">${msg('绑定变更后入口将保持隐藏，待中央企微运营审核后展示。', { id: 'bindingDialog.note' })}</p>
              ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
              <div class="row-end">
                <button type="button" @click=${() => this.dialog.close()}>${msg('取消', { id: 'bindingDialog.cancel' })}</button>
                <button type="submit" class="primary" data-action="save" ?disabled=${this.busy || !this.check?.canBind}>${msg('保存', { id: 'bindingDialog.save' })}</button>
              </div>
            </form>`
        : nothing}
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'wss-binding-dialog': WssBindingDialog;
  }
}
