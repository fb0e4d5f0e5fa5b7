import { LitElement, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import '../shared/localize.js';
import { ApiError, apiFetch, queryString } from '../shared/api.js';
import { actionFailed, errorText, saveFailed } from '../shared/errors.js';
import { baseStyles } from '../shared/styles.js';
import { fillText, localTime, roleText } from '../shared/labels.js';
import type { WssConfirmDialog } from '../shared/confirm-dialog.js';
import { bindingAdminStyles } from './binding-admin.styles.js';
import './member-picker.js';
import type { AccountCheckBody, ReviewItem, ReviewListBody, StoreDetailBody } from '../../plugin/contract/index.js';

interface StoreRef {
  id: string;
  name: string;
}
type Check = Pick<AccountCheckBody, 'found' | 'name' | 'statusText' | 'canBind' | 'message' | 'capacity'>;
type Binding = StoreDetailBody['bindings'][number];
type Mode = 'primary' | 'backup' | 'rebind' | 'replace';

/**
 * Bind dialog of <wss-binding-admin>: current bindings (unbind), a returned review with its reason
 * (resubmit), and a form whose account is picked from the WeCom directory or typed, checked against
 * WeCom with its live customer count (a near-full account needs a confirmation, a full one cannot be
 * bound). Unbind, rebind and replace say what will happen before they do it.
 *
 * @fires wss-binding-change - detail `{ storeId }` after a successful change.
 */
@localized()
@customElement('wss-binding-dialog')
export class WssBindingDialog extends LitElement {
  static override styles = [baseStyles, bindingAdminStyles];

  @property({ attribute: 'api-base' }) apiBase = '/plugins/wecom-store-service';
  /** Asks before destructive changes (the admin page's confirm dialog, outside this dialog's shadow root). */
  @property({ attribute: false }) confirmer: () => WssConfirmDialog | null = () => null;

  @state() private store: StoreRef | null = null;
  @state() private bindings: Binding[] = [];
  @state() private returned: ReviewItem | null = null;
  @state() private userid = '';
  @state() private mode: Mode = 'primary';
  @state() private check: Check | null = null;
  @state() private checking = false;
  @state() private confirmed = false;
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
    this.confirmed = false;
    this.error = '';
    this.returned = null;
    await this.updateComplete;
    this.dialog.showModal();
    await this.loadBindings();
  }

  private ask(request: Parameters<WssConfirmDialog['ask']>[0]): Promise<boolean> {
    const dialog = this.confirmer();
    return dialog ? dialog.ask(request) : Promise.resolve(window.confirm(request.message));
  }

  private get hasPrimary() {
    return this.bindings.some((b) => b.role === 'primary');
  }

  private async loadBindings() {
    const id = encodeURIComponent(this.store!.id);
    const [detail, returned] = await Promise.all([
      apiFetch<StoreDetailBody>(this.apiBase, `/stores/${id}/bindings`),
      apiFetch<ReviewListBody>(this.apiBase, `/reviews${queryString({ kind: 'returned', storeId: this.store!.id, pageSize: 1 })}`).catch(() => null),
    ]);
    this.bindings = detail.bindings;
    this.returned = returned?.items[0] ?? null;
    this.mode = this.hasPrimary ? 'backup' : 'primary';
  }

  private onUserid(userid: string, now = false) {
    this.userid = userid;
    this.check = null;
    this.confirmed = false;
    window.clearTimeout(this.timer);
    if (!this.userid) return;
    if (now) void this.runCheck();
    else this.timer = window.setTimeout(() => void this.runCheck(), 400);
  }

  private async runCheck() {
    const seq = ++this.checkSeq;
    this.checking = true;
    try {
      const check = await apiFetch<Check>(this.apiBase, `/accounts/${encodeURIComponent(this.userid)}/check${queryString({ storeId: this.store?.id })}`);
      if (seq === this.checkSeq) this.check = check;
    } catch (err) {
      if (seq === this.checkSeq) this.check = { found: false, name: null, statusText: null, canBind: false, message: errorText(err), capacity: null };
    } finally {
      if (seq === this.checkSeq) this.checking = false;
    }
  }

  private get needsCapacityConfirm() {
    return this.check?.capacity?.level === 'warning';
  }

  private primary() {
    return this.bindings.find((b) => b.role === 'primary');
  }

  private who(b: { name: string; userid: string } | undefined) {
    return b ? `${b.name || b.userid}(${b.userid})` : '';
  }

  private async submit(e: Event) {
    e.preventDefault();
    if (!this.store || !this.userid) return;
    const storeId = this.store.id;
    const newcomer = `${this.check?.name ?? this.userid}(${this.userid})`;
    if (this.mode === 'replace' || this.mode === 'rebind') {
      const old = this.who(this.primary());
      const ok = await this.ask(
        this.mode === 'replace'
          ? {
              title: msg('替换已满账号', { id: 'bindingDialog.replaceTitle' }),
              message: msg(str`${newcomer} 将成为门店 ${storeId} 的主账号，${old} 保留为退役账号继续服务老客户。门店 ${storeId} 的入口将立即隐藏，待中央企微运营审核后展示。`, { id: 'bindingDialog.replaceConsequence' }),
              confirmText: msg('确认替换', { id: 'bindingDialog.replaceConfirm' }),
              danger: true,
            }
          : {
              title: msg('更换主账号', { id: 'bindingDialog.rebindTitle' }),
              message: msg(str`${old} 将从门店 ${storeId} 解绑，${newcomer} 成为主账号。门店 ${storeId} 的入口将立即隐藏，待中央企微运营审核后展示。`, { id: 'bindingDialog.rebindConsequence' }),
              confirmText: msg('确认更换', { id: 'bindingDialog.rebindConfirm' }),
              danger: true,
            },
      );
      if (!ok) return;
    }
    this.busy = true;
    this.error = '';
    const path = `/stores/${encodeURIComponent(storeId)}`;
    const confirm = this.needsCapacityConfirm && this.confirmed ? true : undefined;
    try {
      if (this.mode === 'primary' || this.mode === 'backup') {
        await apiFetch(this.apiBase, `${path}/bindings`, { method: 'POST', body: JSON.stringify({ userid: this.userid, role: this.mode, confirm }) });
      } else {
        await apiFetch(this.apiBase, `${path}/primary`, { method: 'PUT', body: JSON.stringify({ userid: this.userid, mode: this.mode, confirm }) });
      }
      this.done();
    } catch (err) {
      const fields = err instanceof ApiError ? (err.details as { fields?: Record<string, string> } | undefined)?.fields : undefined;
      this.error = fields?.userid ?? saveFailed(err);
      // The count moved past a level since the check: show the new figure.
      if (err instanceof ApiError && (err.code === 'capacity_confirmation_required' || err.code === 'account_capacity_full')) void this.runCheck();
    } finally {
      this.busy = false;
    }
  }

  private async unbind(b: Binding) {
    if (!this.store) return;
    const storeId = this.store.id;
    const active = this.bindings.filter((x) => x.role !== 'retired');
    const hides = b.role === 'primary' || (b.role === 'backup' && active.length === 1);
    const ok = await this.ask({
      title: msg(str`解绑 ${this.who(b)}`, { id: 'bindingDialog.unbindTitle' }),
      message: hides
        ? msg(str`门店 ${storeId} 的入口将立即隐藏，顾客将看不到“添加门店专属客服”，直到重新绑定并审核通过。`, { id: 'bindingDialog.unbindHides' })
        : msg(str`${this.who(b)} 将不再服务门店 ${storeId}（${roleText(b.role)}）；门店入口不受影响。`, { id: 'bindingDialog.unbindKeeps' }),
      confirmText: msg('确认解绑', { id: 'bindingDialog.unbindConfirm' }),
      danger: true,
    });
    if (!ok) return;
    this.error = '';
    try {
      await apiFetch(this.apiBase, `/stores/${encodeURIComponent(storeId)}/bindings/${encodeURIComponent(b.userid)}`, { method: 'DELETE' });
      await this.loadBindings();
      this.dispatchEvent(new CustomEvent('wss-binding-change', { detail: { storeId }, bubbles: true, composed: true }));
    } catch (err) {
      this.error = actionFailed(err);
    }
  }

  private async resubmit() {
    if (!this.store) return;
    this.error = '';
    try {
      await apiFetch(this.apiBase, `/stores/${encodeURIComponent(this.store.id)}/review/resubmit`, { method: 'POST' });
      this.done();
    } catch (err) {
      this.error = actionFailed(err);
    }
  }

  private done() {
    const storeId = this.store!.id;
    this.dialog.close();
    this.dispatchEvent(new CustomEvent('wss-binding-change', { detail: { storeId }, bubbles: true, composed: true }));
  }

  private renderCheck() {
    if (this.checking) return html`<span class="muted">${msg('正在向企业微信核对…', { id: 'bindingDialog.checking' })}</span>`;
    if (!this.check) return nothing;
    const fill = this.check.capacity;
    const fillLine = fill
      ? html`<span data-testid="fill" class=${fill.level === 'ok' ? '' : fill.level === 'warning' ? 'warn' : 'error'}>${fillText(fill)}</span>`
      : nothing;
    if (this.check.canBind) return html`<span class="ok">✓ ${this.check.name}（${this.check.statusText}）</span> ${fillLine}`;
    return html`<span class="error">${this.check.message}</span> ${fillLine}`;
  }

  private renderCapacityConfirm() {
    const fill = this.check?.capacity;
    if (!this.check?.canBind || !fill || fill.level !== 'warning') return nothing;
    return html`<label class="confirm-line"><span><input type="checkbox" data-field="confirm-capacity" .checked=${this.confirmed}
        @change=${(e: Event) => (this.confirmed = (e.target as HTMLInputElement).checked)} />
      ${msg(str`该账号客户已达 ${fill.percent}%（超过 ${fill.warningLevel}% 预警线，${fill.hardLevel}% 时将停止接待新客户），我确认仍要绑定`, { id: 'bindingDialog.confirmCapacity' })}</span></label>`;
  }

  private renderReturned() {
    const r = this.returned;
    if (!r) return nothing;
    return html`<div class="returned" role="note" data-testid="returned">
      <strong>${msg('中央企微运营已退回：', { id: 'bindingDialog.returned' })}</strong>${r.note}
      <span class="muted">（${r.decidedBy?.name ?? ''} · ${r.decidedAt ? localTime(r.decidedAt) : ''}）</span>
      <div class="muted">${msg('修改绑定后将自动重新提交；如已在企业微信处理好账号，也可不修改直接重新提交。', { id: 'bindingDialog.returnedHint' })}</div>
      <button data-action="resubmit" @click=${() => this.resubmit()}>${msg('重新提交审核', { id: 'bindingDialog.resubmit' })}</button>
    </div>`;
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
    const blocked = !this.check?.canBind || (this.needsCapacityConfirm && !this.confirmed);
    return html`<dialog aria-labelledby="bind-title" @close=${() => (this.store = null)}>
      ${this.store
        ? html`<h2 id="bind-title">${msg(str`绑定企微账号：${this.store.name}（${this.store.id}）`, { id: 'bindingDialog.title' })}</h2>
            ${this.renderReturned()}
            <ul class="plain" aria-label=${msg('当前绑定', { id: 'bindingDialog.current' })}>
              ${this.bindings.map(
                (b) => html`<li data-userid=${b.userid}>${b.name} (${b.userid}) · ${roleText(b.role)}
                  <button data-action="unbind" aria-label=${msg(str`解绑 ${b.userid}`, { id: 'bindingDialog.unbindLabel' })} @click=${() => this.unbind(b)}>${msg('解绑', { id: 'bindingDialog.unbind' })}</button></li>`,
              )}
              ${this.bindings.length ? nothing : html`<li class="muted">${msg('尚未绑定', { id: 'bindingDialog.none' })}</li>`}
            </ul>
            <form class="form" @submit=${this.submit}>
              <wss-member-picker .apiBase=${this.apiBase} .value=${this.userid}
                @wss-member-input=${(e: CustomEvent<{ userid: string }>) => this.onUserid(e.detail.userid)}
                @wss-member-pick=${(e: CustomEvent<{ userid: string }>) => this.onUserid(e.detail.userid, true)}></wss-member-picker>
              <div id="check" class="check" aria-live="polite" data-testid="check">${this.renderCheck()}</div>
              ${this.renderCapacityConfirm()}
              <label>${msg('方式', { id: 'bindingDialog.mode' })}
                <select data-field="mode" @change=${(e: Event) => (this.mode = (e.target as HTMLSelectElement).value as Mode)}>
                  ${modes.map(([value, text]) => html`<option value=${value} ?selected=${value === this.mode}>${text}</option>`)}
                </select></label>
              <p class="muted">${msg('绑定变更后入口将保持隐藏，待中央企微运营审核后展示。', { id: 'bindingDialog.note' })}</p>
              ${this.error ? html`<p class="error" role="alert" data-testid="dialog-error">${this.error}</p>` : nothing}
              <div class="row-end">
                <button type="button" @click=${() => this.dialog.close()}>${msg('取消', { id: 'bindingDialog.cancel' })}</button>
                <button type="submit" class="primary" data-action="save" ?disabled=${this.busy || blocked}>${msg('保存', { id: 'bindingDialog.save' })}</button>
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
