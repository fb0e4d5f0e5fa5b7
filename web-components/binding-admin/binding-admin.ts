import { LitElement, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import '../shared/localize.js';
import { apiFetch, queryString } from '../shared/api.js';
import { actionFailed, loadFailed } from '../shared/errors.js';
import { baseStyles } from '../shared/styles.js';
import { useTimeZone } from '../shared/time.js';
import { readUrlFilters, writeUrlFilters } from '../shared/url-filters.js';
import type { MeBody, StoreItem } from '../../plugin/contract/index.js';
import { bindingAdminStyles } from './binding-admin.styles.js';
import './binding-dialog.js';
import './binding-history.js';
import './binding-import.js';
import '../shared/confirm-dialog.js';
import type { WssConfirmDialog } from '../shared/confirm-dialog.js';
import { storeList } from '../shared/labels.js';
import type { WssBindingDialog } from './binding-dialog.js';
import type { WssBindingHistory } from './binding-history.js';
import type { WssBindingImport } from './binding-import.js';
import type { BranchListBody, StoreListBody, VisibilityChangeBody } from '../../plugin/contract/index.js';

export type Me = MeBody;

/**
 * The admin page of the binding workflow: stores with filters, search and pages; bind dialog,
 * history drawer, bulk show/hide (HQ), import wizard and export. Controls the signed-in actor may
 * not use are not rendered; the server enforces the same rules.
 *
 * @fires wss-binding-change - detail `{ storeId }` after a binding was changed in the dialog.
 * @fires wss-entries-toggle - detail `{ storeIds, visible }` after HQ showed or hid entries.
 * @fires wss-import-commit - detail `{ id }` after an import was committed.
 * @cssproperty --wss-primary - accent colour.
 */
@localized()
@customElement('wss-binding-admin')
export class WssBindingAdmin extends LitElement {
  static override styles = [baseStyles, bindingAdminStyles];

  /** Where the plugin routes are mounted, e.g. `/plugins/wecom-store-service`. */
  @property({ attribute: 'api-base' }) apiBase = '/plugins/wecom-store-service';
  @property({ type: Number, attribute: 'page-size' }) pageSize = 20;

  @state() private me: Me | null = null;
  @state() private branches: { id: string; name: string }[] = [];
  @state() private items: StoreItem[] = [];
  @state() private total = 0;
  @state() private page = 1;
  @state() private filters = { branchId: '', bound: '', visible: '', q: '' };
  @state() private selected = new Set<string>();
  @state() private bulkReason = '';
  @state() private loading = false;
  @state() private error = '';
  @state() private notice = '';
  @state() private noticeFailed = false;
  @state() private report: (VisibilityChangeBody & { names: Map<string, string> }) | null = null;

  @query('wss-binding-dialog') private dialog!: WssBindingDialog;
  @query('wss-binding-history') private history!: WssBindingHistory;
  @query('wss-binding-import') private importer!: WssBindingImport;
  @query('wss-confirm-dialog') private confirmDialog!: WssConfirmDialog;

  private searchTimer?: number;
  private seq = 0;

  private get canWrite() {
    return Boolean(this.me?.can.bind);
  }
  private get canToggle() {
    return Boolean(this.me?.can.toggleEntries);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.init();
  }

  private async init() {
    const kept = readUrlFilters(['branch', 'bound', 'visible', 'q', 'page'] as const);
    this.filters = { branchId: kept.branch ?? '', bound: kept.bound ?? '', visible: kept.visible ?? '', q: kept.q ?? '' };
    this.page = Math.max(1, Number(kept.page ?? 1) || 1);
    try {
      const [me, branches] = await Promise.all([
        apiFetch<Me>(this.apiBase, '/me'),
        apiFetch<BranchListBody>(this.apiBase, '/branches'),
      ]);
      this.me = me;
      useTimeZone(me.timezone);
      this.branches = branches.items;
    } catch (err) {
      this.error = loadFailed(err);
    }
    await this.load();
  }

  /** Reloads the current page. */
  async refresh(): Promise<void> {
    await this.load();
  }

  private async load() {
    const seq = ++this.seq;
    this.loading = true;
    const { branchId, bound, visible, q } = this.filters;
    writeUrlFilters({ branch: branchId, bound, visible, q, page: this.page });
    try {
      const result = await apiFetch<StoreListBody>(
        this.apiBase,
        `/stores${queryString({ ...this.filters, page: this.page, pageSize: this.pageSize })}`,
      );
      if (seq !== this.seq) return;
      this.items = result.items;
      this.total = result.total;
      this.error = '';
    } catch (err) {
      if (seq === this.seq) {
        // No stale rows under a new filter.
        this.items = [];
        this.total = 0;
        this.error = loadFailed(err);
      }
    } finally {
      if (seq === this.seq) this.loading = false;
    }
  }

  private setFilter(name: keyof WssBindingAdmin['filters'], value: string) {
    this.filters = { ...this.filters, [name]: value };
    this.page = 1;
    this.selected = new Set();
    if (name === 'q') {
      window.clearTimeout(this.searchTimer);
      this.searchTimer = window.setTimeout(() => void this.load(), 250);
    } else {
      void this.load();
    }
  }

  private goTo(page: number) {
    this.page = page;
    this.selected = new Set();
    void this.load();
  }

  private toggleOne(id: string, on: boolean) {
    const next = new Set(this.selected);
    if (on) next.add(id);
    else next.delete(id);
    this.selected = next;
  }

  private toggleAll(on: boolean) {
    this.selected = on ? new Set(this.items.map((s) => s.id)) : new Set();
  }

  private async setVisible(visible: boolean) {
    const storeIds = [...this.selected];
    this.notice = '';
    this.noticeFailed = false;
    this.report = null;
    if (!visible) {
      const ok = await this.confirmDialog.ask({
        title: msg('隐藏入口', { id: 'bindingAdmin.hideTitle' }),
        message: msg(str`门店 ${storeList(storeIds)} 的入口将立即隐藏，顾客在下单结果页将看不到“添加门店专属客服”。`, { id: 'bindingAdmin.hideConsequence' }),
        confirmText: msg(str`隐藏 ${storeIds.length} 家门店的入口`, { id: 'bindingAdmin.hideConfirm' }),
        danger: true,
      });
      if (!ok) return;
    }
    const names = new Map(this.items.map((s) => [s.id, s.name]));
    try {
      const result = await apiFetch<VisibilityChangeBody>(this.apiBase, '/entries/visibility', {
        method: 'POST',
        // Showing reports per store: what can be shown is shown, the rest is listed with its reason.
        body: JSON.stringify({ storeIds, visible, reason: this.bulkReason || undefined, ...(visible ? { onlyEligible: true } : {}) }),
      });
      if (visible) this.report = { ...result, names };
      else this.notice = msg(str`已隐藏 ${result.changed.length} 家门店的入口`, { id: 'bindingAdmin.hiddenCount' });
      this.selected = new Set();
      this.bulkReason = '';
      this.dispatchEvent(new CustomEvent('wss-entries-toggle', { detail: { storeIds: result.changed, visible }, bubbles: true, composed: true }));
      await this.load();
    } catch (err) {
      this.notice = actionFailed(err);
      this.noticeFailed = true;
    }
  }

  private renderReport() {
    const r = this.report;
    if (!r) return nothing;
    const skipped = r.skipped ?? [];
    const name = (id: string) => r.names.get(id) ?? '';
    return html`<section class="report" role="status" data-testid="bulk-report" aria-label=${msg('展示结果', { id: 'bindingAdmin.reportTitle' })}>
      <strong>${msg(str`已展示 ${r.changed.length} 家门店的入口`, { id: 'bindingAdmin.shownCount' })}${r.unchanged ? msg(str`，${r.unchanged} 家原已展示`, { id: 'bindingAdmin.alreadyShown' }) : ''}${skipped.length ? msg(str`，${skipped.length} 家未能展示`, { id: 'bindingAdmin.notShownCount' }) : ''}</strong>
      ${r.changed.length ? html`<ul>${r.changed.map((id) => html`<li class="shown" data-outcome="shown" data-store-id=${id}>✓ ${id} ${name(id)}</li>`)}</ul>` : nothing}
      ${skipped.length
        ? html`<ul>${skipped.map((s) => html`<li class="skipped" data-outcome="skipped" data-store-id=${s.storeId}>✗ ${s.storeId} ${s.storeName}：${this.problemText(s.problem)}</li>`)}</ul>`
        : nothing}
      <div><button data-action="close-report" @click=${() => (this.report = null)}>${msg('知道了', { id: 'bindingAdmin.reportClose' })}</button></div>
    </section>`;
  }

  private problemText(problem: string): string {
    return problem === 'store_closed'
      ? msg('门店已关店', { id: 'bindingAdmin.problemClosed' })
      : msg('没有可用的企微账号（未绑定，或账号已停用、离职）', { id: 'bindingAdmin.problemNoAccount' });
  }

  private exportHref(format: 'xlsx' | 'csv') {
    const { branchId, bound, visible } = this.filters;
    return `${this.apiBase}/exports/bindings${queryString({ format, branchId, bound, visible })}`;
  }

  private async changed(e: CustomEvent<{ storeId: string }>) {
    this.notice = msg(str`门店 ${e.detail.storeId} 的绑定已更新，入口待中央企微运营审核`, { id: 'bindingAdmin.changed' });
    this.noticeFailed = false;
    await this.load();
  }

  private renderToolbar() {
    const select = (name: 'branchId' | 'bound' | 'visible', label: string, options: [string, string][]) =>
      html`<label>${label}
        <select data-filter=${name === 'branchId' ? 'branch' : name} @change=${(e: Event) => this.setFilter(name, (e.target as HTMLSelectElement).value)}>
          ${options.map(([value, text]) => html`<option value=${value} ?selected=${value === this.filters[name]}>${text}</option>`)}
        </select></label>`;
    return html`<div class="toolbar" role="search">
      ${this.branches.length > 1
        ? select('branchId', msg('分公司', { id: 'bindingAdmin.branch' }), [['', msg('全部分公司', { id: 'bindingAdmin.allBranches' })], ...this.branches.map((b): [string, string] => [b.id, b.name])])
        : nothing}
      ${select('bound', msg('绑定状态', { id: 'bindingAdmin.binding' }), [['', msg('全部', { id: 'bindingAdmin.all' })], ['true', msg('已绑定', { id: 'bindingAdmin.bound' })], ['false', msg('未绑定', { id: 'bindingAdmin.unbound' })]])}
      ${select('visible', msg('入口', { id: 'bindingAdmin.entry' }), [['', msg('全部', { id: 'bindingAdmin.all' })], ['true', msg('已展示', { id: 'bindingAdmin.shown' })], ['false', msg('已隐藏', { id: 'bindingAdmin.hidden' })]])}
      <label>${msg('搜索门店编号或名称', { id: 'bindingAdmin.search' })}
        <input type="search" data-filter="q" .value=${this.filters.q} @input=${(e: Event) => this.setFilter('q', (e.target as HTMLInputElement).value)} /></label>
      <span class="muted" aria-live="polite" data-testid="total">${this.loading ? msg('加载中…', { id: 'bindingAdmin.loading' }) : msg(str`共 ${this.total} 家门店`, { id: 'bindingAdmin.total' })}</span>
      <span style="flex:1"></span>
      ${this.canWrite ? html`<button data-action="import" @click=${() => this.importer.open()}>${msg('批量导入', { id: 'bindingAdmin.import' })}</button>` : nothing}
      <span class="exports">
        <a data-action="export-xlsx" href=${this.exportHref('xlsx')} download>${msg('导出 Excel', { id: 'bindingAdmin.exportXlsx' })}</a>
        <a data-action="export-csv" href=${this.exportHref('csv')} download>${msg('导出 CSV', { id: 'bindingAdmin.exportCsv' })}</a>
      </span>
    </div>`;
  }

  private renderBulk() {
    if (!this.canToggle || !this.selected.size) return nothing;
    return html`<div class="bulk" role="region" aria-label=${msg('批量操作', { id: 'bindingAdmin.bulk' })}>
      <span data-testid="selected">${msg(str`已选 ${this.selected.size} 家门店`, { id: 'bindingAdmin.selected' })}</span>
      <label>${msg('原因（可选）', { id: 'bindingAdmin.reason' })}
        <input data-field="bulk-reason" .value=${this.bulkReason} @input=${(e: Event) => (this.bulkReason = (e.target as HTMLInputElement).value)} /></label>
      <button class="primary" data-action="show" @click=${() => this.setVisible(true)}>${msg('展示入口', { id: 'bindingAdmin.show' })}</button>
      <button data-action="hide" @click=${() => this.setVisible(false)}>${msg('隐藏入口', { id: 'bindingAdmin.hide' })}</button>
    </div>`;
  }

  private renderRow(s: StoreItem) {
    return html`<tr data-store-id=${s.id}>
      ${this.canToggle
        ? html`<td class="select"><input type="checkbox" aria-label=${msg(str`选择门店 ${s.id}`, { id: 'bindingAdmin.select' })} .checked=${this.selected.has(s.id)}
            @change=${(e: Event) => this.toggleOne(s.id, (e.target as HTMLInputElement).checked)} /></td>`
        : nothing}
      <td data-label=${msg('门店编号', { id: 'bindingAdmin.id' })}>${s.id}</td>
      <td data-label=${msg('门店', { id: 'bindingAdmin.name' })} class="nowrap">${s.name}</td>
      <td data-label=${msg('分公司', { id: 'bindingAdmin.branch' })} class="nowrap">${s.branchName}</td>
      <td data-label=${msg('营业状态', { id: 'bindingAdmin.status' })} class="nowrap">${s.isOpen ? html`<span class="tag ok">${msg('营业', { id: 'bindingAdmin.open' })}</span>` : html`<span class="tag off">${msg('已关店', { id: 'bindingAdmin.closed' })}</span>`}</td>
      <td data-col="account" data-label=${msg('企微账号', { id: 'bindingAdmin.account' })}>${s.bound ? (s.primaryUserid ? `${s.primaryName ?? ''} (${s.primaryUserid})` : msg('仅备用账号', { id: 'bindingAdmin.backupOnly' })) : html`<span class="muted">${msg('未绑定', { id: 'bindingAdmin.none' })}</span>`}</td>
      <td data-col="entry" data-label=${msg('入口', { id: 'bindingAdmin.entry' })}>${s.visible ? html`<span class="tag ok">${msg('已展示', { id: 'bindingAdmin.shown' })}</span>` : html`<span class="tag off">${msg('已隐藏', { id: 'bindingAdmin.hidden' })}</span>`}${s.entryReason ? html`<span class="reason">${s.entryReason}</span>` : nothing}</td>
      <td class="actions">
        ${this.canWrite && s.isOpen ? html`<button data-action="bind" @click=${() => this.dialog.open(s)}>${msg('绑定', { id: 'bindingAdmin.bind' })}</button>` : nothing}
        <button data-action="history" @click=${() => this.history.open(s)}>${msg('历史', { id: 'bindingAdmin.history' })}</button>
      </td>
    </tr>`;
  }

  override render() {
    const pages = Math.max(1, Math.ceil(this.total / this.pageSize));
    const allOn = this.items.length > 0 && this.items.every((s) => this.selected.has(s.id));
    return html`
      ${this.renderToolbar()}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.notice ? html`<p class="notice ${this.noticeFailed ? 'failure' : 'success'}" role=${this.noticeFailed ? 'alert' : 'status'} data-testid="notice">${this.notice}</p>` : nothing}
      ${this.renderReport()}
      ${this.renderBulk()}
      <div class="scroll"><table class="cards">
        <thead><tr>
          ${this.canToggle ? html`<th scope="col"><input type="checkbox" data-action="select-all" aria-label=${msg('全选本页', { id: 'bindingAdmin.selectAll' })} .checked=${allOn} @change=${(e: Event) => this.toggleAll((e.target as HTMLInputElement).checked)} /></th>` : nothing}
          <th scope="col">${msg('门店编号', { id: 'bindingAdmin.id' })}</th>
          <th scope="col">${msg('门店', { id: 'bindingAdmin.name' })}</th>
          <th scope="col">${msg('分公司', { id: 'bindingAdmin.branch' })}</th>
          <th scope="col">${msg('营业状态', { id: 'bindingAdmin.status' })}</th>
          <th scope="col">${msg('企微账号', { id: 'bindingAdmin.account' })}</th>
          <th scope="col">${msg('入口', { id: 'bindingAdmin.entry' })}</th>
          <th scope="col">${msg('操作', { id: 'bindingAdmin.actions' })}</th>
        </tr></thead>
        <tbody>
          ${this.items.map((s) => this.renderRow(s))}
          ${!this.loading && !this.items.length ? html`<tr><td colspan="8" class="empty">${msg('没有符合条件的门店', { id: 'bindingAdmin.empty' })}</td></tr>` : nothing}
        </tbody>
      </table></div>
      <div class="pager">
        <button data-action="prev" ?disabled=${this.page <= 1} @click=${() => this.goTo(this.page - 1)}>${msg('上一页', { id: 'bindingAdmin.prev' })}</button>
        <span>${msg(str`第 ${this.page} / ${pages} 页`, { id: 'bindingAdmin.page' })}</span>
        <button data-action="next" ?disabled=${this.page >= pages} @click=${() => this.goTo(this.page + 1)}>${msg('下一页', { id: 'bindingAdmin.next' })}</button>
      </div>
      <wss-binding-dialog .apiBase=${this.apiBase} .confirmer=${() => this.confirmDialog} @wss-binding-change=${this.changed}></wss-binding-dialog>
      <wss-binding-history .apiBase=${this.apiBase}></wss-binding-history>
      <wss-binding-import .apiBase=${this.apiBase} @wss-import-commit=${() => this.load()}></wss-binding-import>
      <wss-confirm-dialog></wss-confirm-dialog>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'wss-binding-admin': WssBindingAdmin;
  }
}
