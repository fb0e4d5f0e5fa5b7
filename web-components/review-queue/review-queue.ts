import { LitElement, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import '../shared/localize.js';
import { apiFetch, queryString } from '../shared/api.js';
import { actionFailed, loadFailed } from '../shared/errors.js';
import { baseStyles } from '../shared/styles.js';
import { useTimeZone } from '../shared/time.js';
import { readUrlFilters, writeUrlFilters } from '../shared/url-filters.js';
import { localTime } from '../shared/labels.js';
import type {
  BranchListBody, MeBody, ReviewDecisionBody, ReviewDecisionResult, ReviewItem, ReviewListBody, ReviewListKind, ReviewSummaryBody,
} from '../../plugin/contract/index.js';
import { reviewQueueStyles } from './review-queue.styles.js';
import { actionText, renderDiff, skipText } from './review-diff.js';

type Decision = { decision: 'approve' | 'reject'; show?: boolean; items: ReviewItem[] };

/**
 * The HQ review queue (待审核): every store whose binding changed since HQ last approved it, with
 * the change as a diff (old → new accounts, their WeCom status and fill, who changed it and when),
 * filters by branch and age, approve (show, or keep hidden) and return with a reason, one or many.
 * Branch admins see their own branch: what waits, and the stores HQ returned with the reason.
 *
 * @fires wss-reviews-change - detail `{ pending, returned }` after a decision or a resubmission (hosts update their navigation count).
 * @cssproperty --wss-primary - accent colour.
 */
@localized()
@customElement('wss-review-queue')
export class WssReviewQueue extends LitElement {
  static override styles = [baseStyles, reviewQueueStyles];

  @property({ attribute: 'api-base' }) apiBase = '/plugins/wecom-store-service';
  @property({ type: Number, attribute: 'page-size' }) pageSize = 20;

  @state() private me: MeBody | null = null;
  @state() private branches: { id: string; name: string }[] = [];
  @state() private kind: ReviewListKind = 'pending';
  @state() private branchId = '';
  @state() private olderThanHours = '';
  @state() private items: ReviewItem[] = [];
  @state() private total = 0;
  @state() private page = 1;
  @state() private summary: ReviewSummaryBody | null = null;
  @state() private selected = new Set<string>();
  @state() private results: { result: ReviewDecisionResult; item?: ReviewItem }[] = [];
  @state() private pendingReject: ReviewItem[] = [];
  @state() private rejectReason = '';
  @state() private busy = false;
  @state() private error = '';

  @query('dialog.reject') private rejectDialog!: HTMLDialogElement;
  private seq = 0;

  private get canDecide() {
    return Boolean(this.me?.can.decideReviews);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.init();
  }

  private async init() {
    const kept = readUrlFilters(['kind', 'branch', 'age'] as const);
    if (kept.kind === 'pending' || kept.kind === 'returned' || kept.kind === 'decided') this.kind = kept.kind;
    this.branchId = kept.branch ?? '';
    this.olderThanHours = kept.age ?? '';
    try {
      const [me, branches] = await Promise.all([apiFetch<MeBody>(this.apiBase, '/me'), apiFetch<BranchListBody>(this.apiBase, '/branches')]);
      this.me = me;
      useTimeZone(me.timezone);
      this.branches = branches.items;
    } catch (err) {
      this.error = loadFailed(err);
    }
    await this.load();
  }

  /** Reloads the list and the counts. */
  async refresh(): Promise<void> {
    await this.load();
  }

  private async load() {
    const seq = ++this.seq;
    writeUrlFilters({ kind: this.kind === 'pending' ? '' : this.kind, branch: this.branchId, age: this.olderThanHours });
    try {
      const [list, summary] = await Promise.all([
        apiFetch<ReviewListBody>(
          this.apiBase,
          `/reviews${queryString({ kind: this.kind, branchId: this.branchId, olderThanHours: this.kind === 'pending' ? this.olderThanHours : '', page: this.page, pageSize: this.pageSize })}`,
        ),
        apiFetch<ReviewSummaryBody>(this.apiBase, '/reviews/summary'),
      ]);
      if (seq !== this.seq) return;
      this.items = list.items;
      this.total = list.total;
      this.summary = summary;
      this.error = '';
    } catch (err) {
      if (seq === this.seq) {
        // No stale rows under a new filter.
        this.items = [];
        this.total = 0;
        this.error = loadFailed(err);
      }
    }
  }

  private setKind(kind: ReviewListKind) {
    this.kind = kind;
    this.page = 1;
    this.selected = new Set();
    this.results = [];
    void this.load();
  }

  private setFilter(name: 'branchId' | 'olderThanHours', value: string) {
    this[name] = value;
    this.page = 1;
    this.selected = new Set();
    void this.load();
  }

  private toggle(id: string, on: boolean) {
    const next = new Set(this.selected);
    if (on) next.add(id);
    else next.delete(id);
    this.selected = next;
  }

  private chosen(): ReviewItem[] {
    return this.items.filter((i) => this.selected.has(i.id));
  }

  private askReject(items: ReviewItem[]) {
    if (!items.length) return;
    this.pendingReject = items;
    this.rejectReason = '';
    this.rejectDialog.showModal();
  }

  private async decide(d: Decision, reason?: string) {
    if (!d.items.length) return;
    this.busy = true;
    this.error = '';
    try {
      const body = await apiFetch<ReviewDecisionBody>(this.apiBase, '/reviews/decisions', {
        method: 'POST',
        body: JSON.stringify({ decision: d.decision, show: d.show, reason: reason || undefined, items: d.items.map((i) => ({ reviewId: i.id, revision: i.revision })) }),
      });
      const byId = new Map(d.items.map((i) => [i.id, i]));
      this.results = body.results.map((result) => ({ result, item: byId.get(result.reviewId) }));
      this.selected = new Set();
      await this.load();
      this.dispatchEvent(new CustomEvent('wss-reviews-change', { detail: { pending: this.summary?.pending ?? 0, returned: this.summary?.returned ?? 0 }, bubbles: true, composed: true }));
    } catch (err) {
      this.error = actionFailed(err);
    } finally {
      this.busy = false;
    }
  }

  private async confirmReject(e: Event) {
    e.preventDefault();
    const reason = this.rejectReason.trim();
    if (!reason) return;
    this.rejectDialog.close();
    await this.decide({ decision: 'reject', items: this.pendingReject }, reason);
  }

  private async resubmit(item: ReviewItem) {
    this.error = '';
    try {
      await apiFetch(this.apiBase, `/stores/${encodeURIComponent(item.storeId)}/review/resubmit`, { method: 'POST' });
      await this.load();
      this.dispatchEvent(new CustomEvent('wss-reviews-change', { detail: { pending: this.summary?.pending ?? 0, returned: this.summary?.returned ?? 0 }, bubbles: true, composed: true }));
    } catch (err) {
      this.error = actionFailed(err);
    }
  }

  private waited(iso: string): string {
    const hours = Math.floor((Date.now() - Date.parse(iso)) / 3_600_000);
    if (hours < 1) return msg('不到 1 小时', { id: 'reviewQueue.lessThanHour' });
    if (hours < 48) return msg(str`${hours} 小时`, { id: 'reviewQueue.hours' });
    return msg(str`${Math.floor(hours / 24)} 天`, { id: 'reviewQueue.days' });
  }

  private renderTabs() {
    const tab = (kind: ReviewListKind, label: string, count?: number) =>
      html`<button role="tab" data-tab=${kind} aria-selected=${this.kind === kind} class=${this.kind === kind ? 'on' : ''} @click=${() => this.setKind(kind)}>
        ${label}${count ? html` <span class="count" data-testid=${`count-${kind}`}>${count}</span>` : nothing}</button>`;
    return html`<div class="tabs" role="tablist">
      ${tab('pending', msg('待审核', { id: 'reviewQueue.pending' }), this.summary?.pending)}
      ${tab('returned', msg('已退回', { id: 'reviewQueue.returned' }), this.summary?.returned)}
      ${tab('decided', msg('已处理', { id: 'reviewQueue.decided' }))}
    </div>`;
  }

  private renderToolbar() {
    return html`<div class="toolbar" role="search">
      ${this.branches.length > 1
        ? html`<label>${msg('分公司', { id: 'reviewQueue.branch' })}
            <select data-filter="branch" @change=${(e: Event) => this.setFilter('branchId', (e.target as HTMLSelectElement).value)}>
              <option value="">${msg('全部分公司', { id: 'reviewQueue.allBranches' })}</option>
              ${this.branches.map((b) => html`<option value=${b.id} ?selected=${b.id === this.branchId}>${b.name}</option>`)}
            </select></label>`
        : nothing}
      ${this.kind === 'pending'
        ? html`<label>${msg('等待时长', { id: 'reviewQueue.age' })}
            <select data-filter="age" @change=${(e: Event) => this.setFilter('olderThanHours', (e.target as HTMLSelectElement).value)}>
              <option value="">${msg('全部', { id: 'reviewQueue.anyAge' })}</option>
              <option value="24" ?selected=${this.olderThanHours === '24'}>${msg('超过 1 天', { id: 'reviewQueue.age1' })}</option>
              <option value="72" ?selected=${this.olderThanHours === '72'}>${msg('超过 3 天', { id: 'reviewQueue.age3' })}</option>
              <option value="168" ?selected=${this.olderThanHours === '168'}>${msg('超过 7 天', { id: 'reviewQueue.age7' })}</option>
            </select></label>`
        : nothing}
      <span class="muted" data-testid="total">${msg(str`共 ${this.total} 家门店`, { id: 'reviewQueue.total' })}</span>
    </div>`;
  }

  private renderBulk() {
    if (!this.canDecide || this.kind !== 'pending' || !this.items.length) return nothing;
    const chosen = this.chosen();
    const all = this.items.every((i) => this.selected.has(i.id));
    return html`<div class="bulk" role="region" aria-label=${msg('批量审核', { id: 'reviewQueue.bulk' })}>
      <label class="inline"><input type="checkbox" data-action="select-all" .checked=${all}
        @change=${(e: Event) => (this.selected = (e.target as HTMLInputElement).checked ? new Set(this.items.map((i) => i.id)) : new Set())} />
        ${msg('全选本页', { id: 'reviewQueue.selectAll' })}</label>
      <span data-testid="selected">${msg(str`已选 ${chosen.length} 家`, { id: 'reviewQueue.selected' })}</span>
      <button class="primary" data-action="approve-selected" ?disabled=${!chosen.length || this.busy} @click=${() => this.decide({ decision: 'approve', show: true, items: chosen })}>${msg('通过并展示入口', { id: 'reviewQueue.approveShow' })}</button>
      <button data-action="approve-hidden-selected" ?disabled=${!chosen.length || this.busy} @click=${() => this.decide({ decision: 'approve', show: false, items: chosen })}>${msg('通过但暂不展示', { id: 'reviewQueue.approveHidden' })}</button>
      <button data-action="reject-selected" ?disabled=${!chosen.length || this.busy} @click=${() => this.askReject(chosen)}>${msg('退回…', { id: 'reviewQueue.rejectMany' })}</button>
    </div>`;
  }

  private renderResults() {
    if (!this.results.length) return nothing;
    const outcome = (r: ReviewDecisionResult) =>
      r.outcome === 'approved' ? msg('已通过', { id: 'reviewQueue.outApproved' }) : r.outcome === 'rejected' ? msg('已退回', { id: 'reviewQueue.outRejected' }) : skipText(r.problem);
    return html`<section class="results" role="status" data-testid="decision-results">
      <ul>${this.results.map(
        ({ result, item }) => html`<li class=${result.outcome === 'skipped' ? 'bad' : 'good'} data-outcome=${result.outcome} data-store-id=${result.storeId ?? ''}>
          ${result.outcome === 'skipped' ? '✗' : '✓'} ${result.storeId ?? ''} ${item?.storeName ?? ''}：${outcome(result)}</li>`,
      )}</ul>
      <button data-action="close-results" @click=${() => (this.results = [])}>${msg('知道了', { id: 'reviewQueue.closeResults' })}</button>
    </section>`;
  }

  private renderItem(item: ReviewItem) {
    const pending = item.status === 'pending';
    return html`<article class="review" data-review-id=${item.id} data-store-id=${item.storeId} aria-labelledby=${`r-${item.id}`}>
      <header>
        ${this.canDecide && pending
          ? html`<input type="checkbox" aria-label=${msg(str`选择门店 ${item.storeId}`, { id: 'reviewQueue.select' })} .checked=${this.selected.has(item.id)}
              @change=${(e: Event) => this.toggle(item.id, (e.target as HTMLInputElement).checked)} />`
          : nothing}
        <h3 id=${`r-${item.id}`}>${item.storeName} <span class="muted">${item.storeId}</span></h3>
        <span class="tag">${item.branchName}</span>
        ${item.storeOpen ? nothing : html`<span class="tag off">${msg('已关店', { id: 'reviewQueue.closed' })}</span>`}
        ${pending ? html`<span class="muted" data-testid="waited">${msg(str`已等待 ${this.waited(item.firstSubmittedAt)}`, { id: 'reviewQueue.waited' })}</span>` : nothing}
      </header>
      <p class="muted">${msg(str`${item.submittedBy.name} 于 ${localTime(item.submittedAt)} 提交`, { id: 'reviewQueue.submitted' })} · ${item.actions.map(actionText).join('、')}</p>
      ${renderDiff(item)}
      ${item.status === 'rejected'
        ? html`<p class="reason" data-testid="return-reason"><strong>${msg('退回原因：', { id: 'reviewQueue.reason' })}</strong>${item.note}
            <span class="muted">（${item.decidedBy?.name ?? ''} · ${item.decidedAt ? localTime(item.decidedAt) : ''}）</span></p>`
        : nothing}
      ${item.status === 'approved'
        ? html`<p class="ok">${item.shown ? msg('已通过，入口已展示', { id: 'reviewQueue.approvedShown' }) : msg('已通过，入口暂不展示', { id: 'reviewQueue.approvedHidden' })}
            <span class="muted">（${item.decidedBy?.name ?? ''} · ${item.decidedAt ? localTime(item.decidedAt) : ''}）</span></p>`
        : nothing}
      <div class="actions">
        ${this.canDecide && pending
          ? html`<button class="primary" data-action="approve" ?disabled=${this.busy} @click=${() => this.decide({ decision: 'approve', show: true, items: [item] })}>${msg('通过并展示', { id: 'reviewQueue.approve' })}</button>
              <button data-action="approve-hidden" ?disabled=${this.busy} @click=${() => this.decide({ decision: 'approve', show: false, items: [item] })}>${msg('通过但暂不展示', { id: 'reviewQueue.approveHidden' })}</button>
              <button data-action="reject" ?disabled=${this.busy} @click=${() => this.askReject([item])}>${msg('退回', { id: 'reviewQueue.reject' })}</button>`
          : nothing}
        ${this.kind === 'returned' && this.me?.can.bind
          ? html`<button data-action="resubmit" @click=${() => this.resubmit(item)}>${msg('不修改，重新提交审核', { id: 'reviewQueue.resubmit' })}</button>
              <span class="muted">${msg('在“门店企微绑定”中修改绑定后会自动重新提交', { id: 'reviewQueue.resubmitHint' })}</span>`
          : nothing}
      </div>
    </article>`;
  }

  private renderRejectDialog() {
    const ids = this.pendingReject.map((i) => i.storeId);
    return html`<dialog class="reject" aria-labelledby="reject-title">
      <form @submit=${this.confirmReject}>
        <h2 id="reject-title">${msg('退回给分公司', { id: 'reviewQueue.rejectTitle' })}</h2>
        <p data-testid="reject-consequence">${msg(str`门店 ${ids.join('、')} 将退回给分公司，入口保持隐藏；分公司修改绑定后会重新提交审核。`, { id: 'reviewQueue.rejectConsequence' })}</p>
        <label>${msg('退回原因（分公司将看到）', { id: 'reviewQueue.rejectReason' })}
          <textarea data-field="reject-reason" required maxlength="200" rows="3" .value=${this.rejectReason}
            @input=${(e: Event) => (this.rejectReason = (e.target as HTMLTextAreaElement).value)}></textarea></label>
        <div class="row-end">
          <button type="button" @click=${() => this.rejectDialog.close()}>${msg('取消', { id: 'reviewQueue.cancel' })}</button>
          <button type="submit" class="danger" data-action="confirm-reject" ?disabled=${!this.rejectReason.trim()}>${msg(str`退回 ${ids.length} 家`, { id: 'reviewQueue.rejectConfirm' })}</button>
        </div>
      </form>
    </dialog>`;
  }

  override render() {
    const pages = Math.max(1, Math.ceil(this.total / this.pageSize));
    const empty =
      this.kind === 'pending'
        ? msg('没有待审核的门店', { id: 'reviewQueue.emptyPending' })
        : this.kind === 'returned'
          ? msg('没有被退回的门店', { id: 'reviewQueue.emptyReturned' })
          : msg('还没有审核记录', { id: 'reviewQueue.emptyDecided' });
    return html`
      ${this.renderTabs()}
      ${this.renderToolbar()}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.renderResults()}
      ${this.renderBulk()}
      <div class="list">${this.items.map((i) => this.renderItem(i))}</div>
      ${this.items.length ? nothing : html`<p class="muted empty">${empty}</p>`}
      ${pages > 1
        ? html`<div class="pager">
            <button ?disabled=${this.page <= 1} @click=${() => ((this.page -= 1), void this.load())}>${msg('上一页', { id: 'reviewQueue.prev' })}</button>
            <span>${msg(str`第 ${this.page} / ${pages} 页`, { id: 'reviewQueue.page' })}</span>
            <button ?disabled=${this.page >= pages} @click=${() => ((this.page += 1), void this.load())}>${msg('下一页', { id: 'reviewQueue.next' })}</button>
          </div>`
        : nothing}
      ${this.renderRejectDialog()}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'wss-review-queue': WssReviewQueue;
  }
}
