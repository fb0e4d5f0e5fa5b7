import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import '../shared/localize.js';
import { apiFetch, queryString } from '../shared/api.js';
import { baseStyles } from '../shared/styles.js';
import { localTime } from '../shared/labels.js';
import type { HandoverCustomerState, HandoverDetailBody, HandoverItem, HandoverListBody } from '../../plugin/contract/index.js';
import { handoverQueueStyles } from './handover-queue.styles.js';

type Tab = 'proposed' | 'in_progress' | 'done' | 'dismissed';
const FAILED: HandoverCustomerState[] = ['refused', 'taker_full', 'no_record', 'not_customer', 'too_frequent', 'no_room', 'failed'];

function stateLabel(state: HandoverCustomerState): string {
  const labels: Record<HandoverCustomerState, string> = {
    pending: msg('待转接', { id: 'handover.s.pending' }),
    waiting: msg('等待客户接受', { id: 'handover.s.waiting' }),
    done: msg('已转接', { id: 'handover.s.done' }),
    refused: msg('客户拒绝', { id: 'handover.s.refused' }),
    taker_full: msg('接替账号已满', { id: 'handover.s.takerFull' }),
    no_record: msg('无转接记录', { id: 'handover.s.noRecord' }),
    not_customer: msg('已不是原账号的客户', { id: 'handover.s.notCustomer' }),
    too_frequent: msg('90天内已转接两次', { id: 'handover.s.tooFrequent' }),
    no_room: msg('接替账号容量不足', { id: 'handover.s.noRoom' }),
    failed: msg('转接失败', { id: 'handover.s.failed' }),
  };
  return labels[state];
}

/**
 * The handover queue (客户继承): proposals to hand a store account's customers over when its member
 * left or HQ replaced it, with their progress per customer state. HQ approves (takers chosen by the
 * plugin, or named; an optional message for in-service handovers) or keeps the customers where they
 * are; the others read their branch's handovers.
 *
 * @summary Handover proposals, approval and progress.
 * @fires wss-handover-decided - after HQ approved or dismissed one (`detail: { id, status }`).
 */
@localized()
@customElement('wss-handover-queue')
export class WssHandoverQueue extends LitElement {
  static override styles = [baseStyles, handoverQueueStyles];

  @property({ attribute: 'api-base' }) apiBase = '/plugins/wecom-store-service';

  @state() private tab: Tab = 'proposed';
  @state() private body: HandoverListBody | null = null;
  @state() private open: HandoverDetailBody | null = null;
  @state() private error = '';
  @state() private busy = false;
  private seq = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    const seq = ++this.seq;
    try {
      const body = await apiFetch<HandoverListBody>(this.apiBase, `/handovers${queryString({ status: this.tab })}`);
      if (seq !== this.seq) return;
      this.body = body;
      this.error = '';
    } catch (err) {
      if (seq === this.seq) this.error = (err as Error).message;
    }
  }

  private async toggle(item: HandoverItem) {
    if (this.open?.handover.id === item.id) return void (this.open = null);
    try {
      this.open = await apiFetch<HandoverDetailBody>(this.apiBase, `/handovers/${item.id}`);
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  private async decide(item: HandoverItem, decision: 'approve' | 'dismiss', form: HTMLElement) {
    const text = (form.querySelector('[data-field="text"]') as HTMLInputElement | null)?.value.trim() ?? '';
    const takers = (form.querySelector('[data-field="takers"]') as HTMLInputElement | null)?.value.split(/[\s,，、]+/).filter(Boolean) ?? [];
    const payload = decision === 'approve' ? { ...(takers.length ? { takeoverUserids: takers } : {}), ...(text ? { successMessage: text } : {}) } : text ? { reason: text } : {};
    this.busy = true;
    try {
      const result = await apiFetch<HandoverDetailBody>(this.apiBase, `/handovers/${item.id}/${decision}`, { method: 'POST', body: JSON.stringify(payload) });
      this.dispatchEvent(new CustomEvent('wss-handover-decided', { detail: { id: item.id, status: result.handover.status }, bubbles: true, composed: true }));
      this.open = null;
      await this.load();
    } catch (err) {
      this.error = (err as Error).message;
    } finally {
      this.busy = false;
    }
  }

  private renderDecision(item: HandoverItem) {
    if (!this.body?.can.decide || item.status !== 'proposed') return nothing;
    return html`<form class="actions" data-testid="decision" @submit=${(e: Event) => e.preventDefault()}>
      <label>${msg('接替账号（留空：门店服务账号，再到备用账号）', { id: 'handover.takers' })}
        <input data-field="takers" placeholder=${item.takers.map((t) => t.userid).join('、')} /></label>
      ${item.kind === 'service'
        ? html`<label>${msg('给客户的转接提示（可选，200字以内）', { id: 'handover.message' })}<input data-field="text" maxlength="200" /></label>`
        : nothing}
      <button class="primary" data-action="approve" ?disabled=${this.busy} @click=${(e: Event) => this.decide(item, 'approve', (e.target as HTMLElement).closest('form')!)}>
        ${msg('批准转接', { id: 'handover.approve' })}</button>
      <button class="danger" data-action="dismiss" ?disabled=${this.busy} @click=${(e: Event) => this.decide(item, 'dismiss', (e.target as HTMLElement).closest('form')!)}>
        ${msg('不转接', { id: 'handover.dismiss' })}</button>
    </form>`;
  }

  private renderCustomers() {
    const rows = (this.open?.customers ?? []).filter((c) => c.status !== 'done');
    if (!rows.length) return html`<p class="muted">${msg('所有客户都已转接', { id: 'handover.allDone' })}</p>`;
    return html`<table class="customers" data-testid="customers">
      <thead><tr>
        <th scope="col">${msg('客户', { id: 'handover.customer' })}</th>
        <th scope="col">${msg('接替账号', { id: 'handover.taker' })}</th>
        <th scope="col">${msg('状态', { id: 'handover.state' })}</th>
      </tr></thead>
      <tbody>${rows.map((c) => html`<tr data-status=${c.status}>
        <td>${c.externalUserid}</td><td>${c.takeoverUserid ?? '—'}</td><td>${stateLabel(c.status)}</td>
      </tr>`)}</tbody>
    </table>`;
  }

  private renderItem(item: HandoverItem) {
    const done = item.counts.done ?? 0;
    const failed = FAILED.reduce((n, s) => n + (item.counts[s] ?? 0), 0);
    const reason = item.reason === 'member_left' ? msg('成员已离职', { id: 'handover.memberLeft' }) : msg('账号已被替换', { id: 'handover.replaced' });
    const kind = item.kind === 'resigned' ? msg('离职继承', { id: 'handover.resigned' }) : msg('在职继承', { id: 'handover.service' });
    const takers = item.takers.map((t) => `${t.name}(${t.userid})`).join('、');
    return html`<article data-id=${item.id} data-status=${item.status}>
      <header>
        <h3>${item.storeName} <span class="muted">${item.storeId}</span></h3>
        <span class="tag warn">${reason}</span><span class="tag">${kind}</span>
      </header>
      <p>${msg(str`原账号 ${item.handover.name}(${item.handover.userid})：${item.total} 位客户`, { id: 'handover.summary' })}</p>
      ${takers ? html`<p>${msg(str`接替账号：${takers}`, { id: 'handover.takerList' })}</p>` : nothing}
      <p class="muted">${msg(str`提出于 ${localTime(item.proposedAt)}`, { id: 'handover.proposedAt' })}</p>
      ${item.status !== 'proposed' && item.status !== 'dismissed'
        ? html`<div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax=${item.total} aria-valuenow=${done}>
              <span style="width:${item.total ? Math.round((done * 100) / item.total) : 100}%"></span></div>
            <div class="chips" data-testid="counts">
              <span class="tag ok">${msg(str`已转接 ${done}`, { id: 'handover.doneCount' })}</span>
              ${(['waiting', 'pending'] as const).map((s) => (item.counts[s] ? html`<span class="tag">${stateLabel(s)} ${item.counts[s]}</span>` : nothing))}
              ${failed ? html`<span class="tag bad">${msg(str`未转接 ${failed}`, { id: 'handover.failedCount' })}</span>` : nothing}
            </div>`
        : nothing}
      <div class="actions">
        <button data-action="details" @click=${() => this.toggle(item)}>${this.open?.handover.id === item.id ? msg('收起', { id: 'handover.hide' }) : msg('查看客户', { id: 'handover.show' })}</button>
      </div>
      ${this.open?.handover.id === item.id ? this.renderCustomers() : nothing}
      ${this.renderDecision(item)}
    </article>`;
  }

  override render() {
    const tabs: [Tab, string][] = [
      ['proposed', msg('待审批', { id: 'handover.tab.proposed' })],
      ['in_progress', msg('转接中', { id: 'handover.tab.inProgress' })],
      ['done', msg('已完成', { id: 'handover.tab.done' })],
      ['dismissed', msg('未转接', { id: 'handover.tab.dismissed' })],
    ];
    const items = this.body?.items ?? [];
    return html`<nav class="tabs" role="tablist">
        ${tabs.map(([tab, label]) => html`<button role="tab" data-tab=${tab} aria-selected=${tab === this.tab} class=${tab === this.tab ? 'on' : ''}
          @click=${() => ((this.tab = tab), (this.open = null), void this.load())}>${label}</button>`)}
      </nav>
      ${this.error ? html`<p class="error" role="alert">${msg(str`加载失败：${this.error}`, { id: 'common.error' })}</p>` : nothing}
      <div class="list">
        ${items.map((i) => this.renderItem(i))}
        ${this.body && !items.length ? html`<p class="muted empty">${msg('没有转接申请', { id: 'handover.empty' })}</p>` : nothing}
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'wss-handover-queue': WssHandoverQueue;
  }
}
