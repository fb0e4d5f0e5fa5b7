import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import '../shared/localize.js';
import { apiFetch, queryString } from '../shared/api.js';
import { loadFailed } from '../shared/errors.js';
import { baseStyles } from '../shared/styles.js';
import { storeListStyles } from './store-list.styles.js';
import type { BranchItem, BranchListBody, StoreItem, StoreListBody } from '../../plugin/contract/index.js';

export type { StoreItem } from '../../plugin/contract/index.js';

/**
 * The stores the signed-in actor may see, with their WeCom binding and entry status.
 *
 * @fires wss-store-select - detail `{ store }` when a row is activated (click or Enter).
 * @cssproperty --wss-primary - accent colour.
 */
@localized()
@customElement('wss-store-list')
export class WssStoreList extends LitElement {
  static override styles = [baseStyles, storeListStyles];

  /** Where the plugin routes are mounted, e.g. `/plugins/wecom-store-service`. */
  @property({ attribute: 'api-base' }) apiBase = '/plugins/wecom-store-service';
  @property({ type: Number, attribute: 'page-size' }) pageSize = 20;

  @state() private branches: BranchItem[] = [];
  @state() private items: StoreItem[] = [];
  @state() private total = 0;
  @state() private page = 1;
  @state() private branchId = '';
  @state() private bound = '';
  @state() private visible = '';
  @state() private q = '';
  @state() private loading = false;
  @state() private error = '';
  private searchTimer?: number;
  private requestSeq = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.loadBranches();
    void this.load();
  }

  /** Reloads the current page (after a change made elsewhere). */
  async refresh(): Promise<void> {
    await this.load();
  }

  private async loadBranches() {
    try {
      const { items } = await apiFetch<BranchListBody>(this.apiBase, '/branches');
      this.branches = items;
    } catch (err) {
      this.error = loadFailed(err);
    }
  }

  private async load() {
    const seq = ++this.requestSeq;
    this.loading = true;
    try {
      const result = await apiFetch<StoreListBody>(
        this.apiBase,
        `/stores${queryString({ branchId: this.branchId, bound: this.bound, visible: this.visible, q: this.q, page: this.page, pageSize: this.pageSize })}`,
      );
      if (seq !== this.requestSeq) return;
      this.items = result.items;
      this.total = result.total;
      this.error = '';
    } catch (err) {
      if (seq === this.requestSeq) this.error = loadFailed(err);
    } finally {
      if (seq === this.requestSeq) this.loading = false;
    }
  }

  private setFilter(name: 'branchId' | 'bound' | 'visible', value: string) {
    this[name] = value;
    this.page = 1;
    void this.load();
  }

  private onSearch(e: Event) {
    this.q = (e.target as HTMLInputElement).value;
    this.page = 1;
    window.clearTimeout(this.searchTimer);
    this.searchTimer = window.setTimeout(() => void this.load(), 250);
  }

  private goTo(page: number) {
    this.page = page;
    void this.load();
  }

  private select(store: StoreItem) {
    this.dispatchEvent(new CustomEvent('wss-store-select', { detail: { store }, bubbles: true, composed: true }));
  }

  override render() {
    const pages = Math.max(1, Math.ceil(this.total / this.pageSize));
    return html`
      <div class="toolbar" role="search">
        ${this.branches.length > 1
          ? html`<label>${msg('分公司', { id: 'stores.branch' })}
              <select data-filter="branch" @change=${(e: Event) => this.setFilter('branchId', (e.target as HTMLSelectElement).value)}>
                <option value="">${msg('全部分公司', { id: 'stores.allBranches' })}</option>
                ${this.branches.map((b) => html`<option value=${b.id}>${b.name}</option>`)}
              </select></label>`
          : nothing}
        <label>${msg('绑定状态', { id: 'stores.binding' })}
          <select data-filter="bound" @change=${(e: Event) => this.setFilter('bound', (e.target as HTMLSelectElement).value)}>
            <option value="">${msg('全部', { id: 'stores.all' })}</option>
            <option value="true">${msg('已绑定', { id: 'stores.bound' })}</option>
            <option value="false">${msg('未绑定', { id: 'stores.unbound' })}</option>
          </select></label>
        <label>${msg('入口', { id: 'stores.entry' })}
          <select data-filter="visible" @change=${(e: Event) => this.setFilter('visible', (e.target as HTMLSelectElement).value)}>
            <option value="">${msg('全部', { id: 'stores.all' })}</option>
            <option value="true">${msg('已展示', { id: 'stores.shown' })}</option>
            <option value="false">${msg('已隐藏', { id: 'stores.hidden' })}</option>
          </select></label>
        <label>${msg('搜索门店编号或名称', { id: 'stores.search' })}
          <input type="search" data-filter="q" .value=${this.q} @input=${this.onSearch} /></label>
        <span class="muted" aria-live="polite">${this.loading ? msg('加载中…', { id: 'stores.loading' }) : msg(str`共 ${this.total} 家门店`, { id: 'stores.total' })}</span>
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <table>
        <thead><tr>
          <th scope="col">${msg('门店编号', { id: 'stores.id' })}</th>
          <th scope="col">${msg('门店', { id: 'stores.name' })}</th>
          <th scope="col">${msg('分公司', { id: 'stores.branch' })}</th>
          <th scope="col">${msg('营业状态', { id: 'stores.status' })}</th>
          <th scope="col">${msg('企微账号', { id: 'stores.account' })}</th>
          <th scope="col">${msg('入口', { id: 'stores.entry' })}</th>
        </tr></thead>
        <tbody>
          ${this.items.map(
            (s) => html`<tr data-store-id=${s.id} tabindex="0" @click=${() => this.select(s)} @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && this.select(s)}>
              <td>${s.id}</td>
              <td>${s.name}</td>
              <td>${s.branchName}</td>
              <td>${s.isOpen ? html`<span class="tag ok">${msg('营业', { id: 'stores.open' })}</span>` : html`<span class="tag off">${msg('已关店', { id: 'stores.closed' })}</span>`}</td>
              <td data-col="account">${s.bound ? `${s.primaryName ?? ''} (${s.primaryUserid ?? ''})` : html`<span class="muted">${msg('未绑定', { id: 'stores.none' })}</span>`}</td>
              <td data-col="entry">${s.visible ? html`<span class="tag ok">${msg('已展示', { id: 'stores.shown' })}</span>` : html`<span class="tag off">${msg('已隐藏', { id: 'stores.hidden' })}</span>`}</td>
            </tr>`,
          )}
          ${!this.loading && !this.items.length ? html`<tr><td colspan="6" class="muted">${msg('没有符合条件的门店', { id: 'stores.empty' })}</td></tr>` : nothing}
        </tbody>
      </table>
      <div class="pager">
        <button ?disabled=${this.page <= 1} @click=${() => this.goTo(this.page - 1)}>${msg('上一页', { id: 'stores.prev' })}</button>
        <span>${msg(str`第 ${this.page} / ${pages} 页`, { id: 'stores.page' })}</span>
        <button ?disabled=${this.page >= pages} @click=${() => this.goTo(this.page + 1)}>${msg('下一页', { id: 'stores.next' })}</button>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'wss-store-list': WssStoreList;
  }
}
