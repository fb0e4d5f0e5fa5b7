import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import '../shared/localize.js';
import { apiFetch, queryString } from '../shared/api.js';
import { loadFailed } from '../shared/errors.js';
import { baseStyles } from '../shared/styles.js';
import { localTime, timeZoneReady } from '../shared/time.js';

import type { BranchListBody, OperationLogBody, OperationLogItem } from '../../plugin/contract/index.js';
import { operationLogStyles } from './operation-log.styles.js';
import { actionLabel, changeLine } from './operation-log.labels.js';

type Filters = { branchId: string; storeId: string; actorId: string; action: string; from: string; to: string };

/**
 * The operation log (操作日志) across stores: who did what, when, to which store, filtered by branch,
 * store, actor, action and day; exported to XLSX or CSV with the same filters. Rows the actor may
 * not see (other branches) never reach the page: the server scopes them.
 */
@localized()
@customElement('wss-operation-log')
export class WssOperationLog extends LitElement {
  static override styles = [baseStyles, operationLogStyles];

  @property({ attribute: 'api-base' }) apiBase = '/plugins/wecom-store-service';
  @property({ type: Number, attribute: 'page-size' }) pageSize = 50;

  @state() private branches: { id: string; name: string }[] = [];
  @state() private filters: Filters = { branchId: '', storeId: '', actorId: '', action: '', from: '', to: '' };
  @state() private body: OperationLogBody | null = null;
  @state() private page = 1;
  @state() private error = '';
  private seq = 0;
  private timer?: number;

  override connectedCallback(): void {
    super.connectedCallback();
    void apiFetch<BranchListBody>(this.apiBase, '/branches').then((b) => (this.branches = b.items), () => undefined);
    void timeZoneReady(this.apiBase).then(() => this.load());
  }

  private async load() {
    const seq = ++this.seq;
    try {
      const body = await apiFetch<OperationLogBody>(this.apiBase, `/operation-log${queryString({ ...this.filters, page: this.page, pageSize: this.pageSize })}`);
      if (seq !== this.seq) return;
      this.body = body;
      this.error = '';
    } catch (err) {
      if (seq === this.seq) {
        // No stale rows under a new filter.
        this.body = null;
        this.error = loadFailed(err);
      }
    }
  }

  private set(name: keyof Filters, value: string, debounce = false) {
    this.filters = { ...this.filters, [name]: value.trim() };
    this.page = 1;
    window.clearTimeout(this.timer);
    if (debounce) this.timer = window.setTimeout(() => void this.load(), 300);
    else void this.load();
  }

  private exportHref(format: 'xlsx' | 'csv') {
    return `${this.apiBase}/exports/operation-log${queryString({ ...this.filters, format })}`;
  }

  private renderFilters() {
    const b = this.body;
    return html`<div class="toolbar" role="search">
      ${this.branches.length > 1
        ? html`<label>${msg('分公司', { id: 'operationLog.branch' })}
            <select data-filter="branch" @change=${(e: Event) => this.set('branchId', (e.target as HTMLSelectElement).value)}>
              <option value="">${msg('全部分公司', { id: 'operationLog.allBranches' })}</option>
              ${this.branches.map((x) => html`<option value=${x.id}>${x.name}</option>`)}
            </select></label>`
        : nothing}
      <label>${msg('门店编号', { id: 'operationLog.store' })}
        <input data-filter="store" .value=${this.filters.storeId} @input=${(e: Event) => this.set('storeId', (e.target as HTMLInputElement).value, true)} /></label>
      <label>${msg('操作人', { id: 'operationLog.actor' })}
        <select data-filter="actor" @change=${(e: Event) => this.set('actorId', (e.target as HTMLSelectElement).value)}>
          <option value="">${msg('全部', { id: 'operationLog.all' })}</option>
          ${(b?.actors ?? []).map((a) => html`<option value=${a.id} ?selected=${a.id === this.filters.actorId}>${a.name}</option>`)}
        </select></label>
      <label>${msg('操作', { id: 'operationLog.action' })}
        <select data-filter="action" @change=${(e: Event) => this.set('action', (e.target as HTMLSelectElement).value)}>
          <option value="">${msg('全部', { id: 'operationLog.all' })}</option>
          ${(b?.actions ?? []).map((a) => html`<option value=${a.action} ?selected=${a.action === this.filters.action}>${actionLabel(a.action, a.label)}</option>`)}
        </select></label>
      <label>${msg('开始日期', { id: 'operationLog.from' })}
        <input type="date" data-filter="from" .value=${this.filters.from} @change=${(e: Event) => this.set('from', (e.target as HTMLInputElement).value)} /></label>
      <label>${msg('结束日期', { id: 'operationLog.to' })}
        <input type="date" data-filter="to" .value=${this.filters.to} @change=${(e: Event) => this.set('to', (e.target as HTMLInputElement).value)} /></label>
      <span class="muted" data-testid="total">${msg(str`共 ${b?.total ?? 0} 条`, { id: 'operationLog.total' })}</span>
      <span class="grow"></span>
      <a data-action="export-xlsx" href=${this.exportHref('xlsx')} download>${msg('导出 Excel', { id: 'operationLog.exportXlsx' })}</a>
      <a data-action="export-csv" href=${this.exportHref('csv')} download>${msg('导出 CSV', { id: 'operationLog.exportCsv' })}</a>
    </div>`;
  }

  private renderRow(i: OperationLogItem) {
    return html`<tr data-id=${i.id} data-action=${i.action}>
      <td data-label=${msg('时间', { id: 'operationLog.at' })}>${localTime(i.at)}</td>
      <td data-label=${msg('操作人', { id: 'operationLog.actor' })} data-col="actor">${i.actorName}</td>
      <td data-label=${msg('操作', { id: 'operationLog.action' })} data-col="action">${actionLabel(i.action, i.actionLabel)}</td>
      <td data-label=${msg('门店', { id: 'operationLog.storeName' })}>${i.storeId ? html`${i.storeName ?? ''} <span class="muted">${i.storeId}</span>` : html`<span class="muted">—</span>`}</td>
      <td data-label=${msg('内容', { id: 'operationLog.change' })} data-col="change">${changeLine(i)}</td>
      <td data-label=${msg('原因', { id: 'operationLog.reason' })}>${i.reason ?? ''}</td>
    </tr>`;
  }

  override render() {
    const b = this.body;
    const pages = b ? Math.max(1, Math.ceil(b.total / this.pageSize)) : 1;
    return html`${this.renderFilters()}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="scroll">
        <table class="cards" data-testid="operation-log">
          <thead><tr>
            <th scope="col">${msg('时间', { id: 'operationLog.at' })}</th>
            <th scope="col">${msg('操作人', { id: 'operationLog.actor' })}</th>
            <th scope="col">${msg('操作', { id: 'operationLog.action' })}</th>
            <th scope="col">${msg('门店', { id: 'operationLog.storeName' })}</th>
            <th scope="col">${msg('内容', { id: 'operationLog.change' })}</th>
            <th scope="col">${msg('原因', { id: 'operationLog.reason' })}</th>
          </tr></thead>
          <tbody>
            ${(b?.items ?? []).map((i) => this.renderRow(i))}
            ${b && !b.items.length ? html`<tr><td colspan="6" class="muted">${msg('没有符合条件的记录', { id: 'operationLog.empty' })}</td></tr>` : nothing}
          </tbody>
        </table>
      </div>
      <div class="pager">
        <button ?disabled=${this.page <= 1} @click=${() => ((this.page -= 1), void this.load())}>${msg('上一页', { id: 'operationLog.prev' })}</button>
        <span>${msg(str`第 ${this.page} / ${pages} 页`, { id: 'operationLog.page' })}</span>
        <button ?disabled=${this.page >= pages} @click=${() => ((this.page += 1), void this.load())}>${msg('下一页', { id: 'operationLog.next' })}</button>
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'wss-operation-log': WssOperationLog;
  }
}
