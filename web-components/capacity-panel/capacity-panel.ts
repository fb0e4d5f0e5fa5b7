import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import '../shared/localize.js';
import { apiFetch, queryString } from '../shared/api.js';
import { actionFailed, loadFailed, saveFailed } from '../shared/errors.js';
import { baseStyles } from '../shared/styles.js';
import { localTime, timeZoneReady } from '../shared/time.js';
import { capacityPanelStyles } from './capacity-panel.styles.js';
import { readUrlFilters, writeUrlFilters } from '../shared/url-filters.js';
import type { BranchListBody } from '../../plugin/contract/index.js';
import type { AlertRulesBody, CapacityAccountItem, CapacityAccountsBody, CapacityRules, DeliveriesBody, DeliveryItem, FillBand, RoutingView, TestSendBody } from '../../plugin/contract/index.js';

type AccountItem = CapacityAccountItem;
type Band = FillBand;
type Rules = CapacityRules;
type Routing = RoutingView;
type Delivery = DeliveryItem;
type Forecast = CapacityAccountItem['forecast'];

/**
 * WeCom account capacity: accounts by fill level with forecasts, limits (HQ edits them), warning rules,
 * robot routing with a test message, and the delivery log with failures.
 *
 * @fires wss-capacity-limit-change - detail `{ accountId, limit }` after HQ saved a new limit.
 * @fires wss-alert-test-send - detail `{ robotId, status }` after a test message was sent.
 */
@localized()
@customElement('wss-capacity-panel')
export class WssCapacityPanel extends LitElement {
  static override styles = [baseStyles, capacityPanelStyles];

  @property({ attribute: 'api-base' }) apiBase = '/plugins/wecom-store-service';
  @property({ type: Number, attribute: 'page-size' }) pageSize = 20;

  @state() private items: AccountItem[] = [];
  @state() private bands: Band[] = [];
  @state() private total = 0;
  @state() private band: Band | null = null;
  @state() private can = { editLimits: false, readAlerts: false, manageAlerts: false };
  @state() private rules: Rules | null = null;
  @state() private routing: Routing | null = null;
  @state() private deliveries: Delivery[] = [];
  @state() private failedCount = 0;
  @state() private failedOnly = false;
  @state() private drafts: Record<string, string> = {};
  @state() private notice = '';
  @state() private noticeFailed = false;
  @state() private q = '';
  @state() private branchId = '';
  @state() private page = 1;
  @state() private branches: { id: string; name: string }[] = [];
  private searchTimer?: number;
  private seq = 0;
  /** Which row the notice belongs to (an account id, or robot:<id>): it shows beside that row's button. */
  @state() private noticeFor = '';
  @state() private error = '';
  @state() private loading = false;

  override connectedCallback(): void {
    super.connectedCallback();
    const kept = readUrlFilters(['q', 'branch', 'page'] as const);
    this.q = kept.q ?? '';
    this.branchId = kept.branch ?? '';
    this.page = Math.max(1, Number(kept.page ?? 1) || 1);
    void apiFetch<BranchListBody>(this.apiBase, '/branches').then((b) => (this.branches = b.items), () => undefined);
    void timeZoneReady(this.apiBase).then(() => this.refresh());
  }

  /** Reloads accounts, and rules/routing/log when the actor may read them. */
  async refresh(): Promise<void> {
    await this.loadAccounts();
    if (this.can.readAlerts) await Promise.all([this.loadRules(), this.loadDeliveries()]);
  }

  private async loadAccounts() {
    this.loading = true;
    const seq = ++this.seq;
    writeUrlFilters({ q: this.q, branch: this.branchId, page: this.page });
    try {
      const band = this.band;
      const result = await apiFetch<CapacityAccountsBody>(
        this.apiBase,
        `/capacity/accounts${queryString({ q: this.q, branchId: this.branchId, minPercent: band?.from, maxPercent: band?.to ?? undefined, page: this.page, pageSize: this.pageSize })}`,
      );
      if (seq !== this.seq) return;
      this.items = result.items;
      this.bands = result.bands;
      this.total = result.total;
      this.can = result.can;
      this.error = '';
    } catch (err) {
      if (seq !== this.seq) return;
      // A failed load must not leave the previous filter's rows under the new one.
      this.items = [];
      this.total = 0;
      this.error = loadFailed(err);
    } finally {
      if (seq === this.seq) this.loading = false;
    }
  }

  private setFilter(name: 'q' | 'branchId', value: string) {
    if (name === 'q') this.q = value.trim();
    else this.branchId = value;
    this.page = 1;
    window.clearTimeout(this.searchTimer);
    if (name === 'q') this.searchTimer = window.setTimeout(() => void this.loadAccounts(), 300);
    else void this.loadAccounts();
  }

  private goTo(page: number) {
    this.page = page;
    void this.loadAccounts();
  }

  private async loadRules() {
    const result = await apiFetch<AlertRulesBody>(this.apiBase, '/alerts/rules');
    this.rules = result.rules;
    this.routing = result.routing;
  }

  private async loadDeliveries() {
    const result = await apiFetch<DeliveriesBody>(this.apiBase, `/alerts/deliveries${queryString({ status: this.failedOnly ? 'failed' : undefined, pageSize: 20 })}`);
    this.deliveries = result.items;
    this.failedCount = result.failed;
  }

  private pickBand(band: Band | null) {
    this.band = band;
    this.page = 1;
    void this.loadAccounts();
  }

  private async saveLimit(account: AccountItem) {
    const limit = Number(this.drafts[account.id]);
    try {
      await apiFetch(this.apiBase, `/capacity/accounts/${account.id}/limit`, { method: 'PUT', body: JSON.stringify({ limit }) });
      this.notice = msg(str`${account.name} 的上限已保存为 ${limit}`, { id: 'capacity.savedFor' });
      this.noticeFailed = false;
      this.noticeFor = account.id;
      const { [account.id]: _saved, ...rest } = this.drafts;
      this.drafts = rest;
      this.dispatchEvent(new CustomEvent('wss-capacity-limit-change', { detail: { accountId: account.id, limit }, bubbles: true, composed: true }));
      await this.refresh();
    } catch (err) {
      this.notice = saveFailed(err);
      this.noticeFailed = true;
      this.noticeFor = account.id;
    }
  }

  private async sendTest(robotId: string) {
    try {
      const { delivery } = await apiFetch<TestSendBody>(this.apiBase, `/alerts/robots/${robotId}/test`, { method: 'POST' });
      this.notice = msg(str`测试消息：${this.statusText(delivery?.status ?? 'failed')}`, { id: 'capacity.testResult' });
      this.noticeFailed = delivery?.status === 'failed';
      this.noticeFor = `robot:${robotId}`;
      this.dispatchEvent(new CustomEvent('wss-alert-test-send', { detail: { robotId, status: delivery?.status ?? 'failed' }, bubbles: true, composed: true }));
      await this.loadDeliveries();
    } catch (err) {
      this.notice = actionFailed(err);
      this.noticeFailed = true;
      this.noticeFor = `robot:${robotId}`;
    }
  }

  private statusText(status: Delivery['status']) {
    switch (status) {
      case 'pending': return msg('等待发送', { id: 'capacity.status.pending' });
      case 'sending': return msg('发送中', { id: 'capacity.status.sending' });
      case 'sent': return msg('已发送', { id: 'capacity.status.sent' });
      default: return msg('发送失败', { id: 'capacity.status.failed' });
    }
  }

  private bandLabel(b: Band) {
    return b.to === null ? msg(str`≥ ${b.from}%`, { id: 'capacity.bandTop' }) : msg(str`${b.from}%–${b.to}%`, { id: 'capacity.band' });
  }

  private forecastCell(f: Forecast) {
    // Beyond this horizon a day count reads as noise ("2531 天后满员"): say it grows slowly instead.
    const horizon = 90;
    if (f.daysToFull === null) return html`<span class="muted">${msg('未增长', { id: 'capacity.noForecast' })}</span>`;
    if (f.daysToFull > horizon) return html`<span class="muted" data-forecast="slow">${msg('增长缓慢，90 天内不会满员', { id: 'capacity.slowGrowth' })}</span>`;
    const next = f.nextLevel !== null && f.daysToNext !== null && f.daysToNext < f.daysToFull
      ? html`${msg(str`约 ${Math.ceil(f.daysToNext)} 天后达 ${f.nextLevel}%`, { id: 'capacity.forecastNext' })}<br />`
      : nothing;
    return html`${next}${msg(str`约 ${Math.ceil(f.daysToFull)} 天后满员`, { id: 'capacity.forecastFull' })}`;
  }

  private renderNotice(key: string) {
    if (!this.notice || this.noticeFor !== key) return nothing;
    return html`<p class="notice ${this.noticeFailed ? 'failure' : 'success'}" role=${this.noticeFailed ? 'alert' : 'status'} data-testid="notice">${this.notice}</p>`;
  }

  private renderAccountFilters() {
    return html`<div class="toolbar" role="search">
      <label>${msg('搜索账号或门店', { id: 'capacity.search' })}
        <input type="search" data-filter="q" .value=${this.q} placeholder=${msg('姓名、账号或门店', { id: 'capacity.searchHint' })}
          @input=${(e: Event) => this.setFilter('q', (e.target as HTMLInputElement).value)} /></label>
      ${this.branches.length > 1
        ? html`<label>${msg('分公司', { id: 'capacity.branch' })}
            <select data-filter="branch" @change=${(e: Event) => this.setFilter('branchId', (e.target as HTMLSelectElement).value)}>
              <option value="" ?selected=${!this.branchId}>${msg('全部分公司', { id: 'capacity.allBranches' })}</option>
              ${this.branches.map((b) => html`<option value=${b.id} ?selected=${b.id === this.branchId}>${b.name}</option>`)}
            </select></label>`
        : nothing}
    </div>`;
  }

  private renderAccounts() {
    const hard = this.rules?.hardLevel ?? 95;
    const first = this.bands[1]?.from ?? 70;
    const pages = Math.max(1, Math.ceil(this.total / this.pageSize));
    return html`<section aria-labelledby="accounts-title">
      <h3 id="accounts-title">${msg('账号容量（按占用排序）', { id: 'capacity.accounts' })}</h3>
      ${this.renderAccountFilters()}
      <div class="bands" role="group">
        <button aria-pressed=${this.band === null ? 'true' : 'false'} @click=${() => this.pickBand(null)}>${msg('全部', { id: 'capacity.all' })} (${this.bands.reduce((n, b) => n + b.count, 0)})</button>
        ${this.bands.map((b) => html`<button data-band=${b.from} aria-pressed=${this.band?.from === b.from ? 'true' : 'false'} @click=${() => this.pickBand(b)}>${this.bandLabel(b)} (${b.count})</button>`)}
        <span class="muted" aria-live="polite">${this.loading ? msg('加载中…', { id: 'capacity.loading' }) : msg(str`共 ${this.total} 个账号`, { id: 'capacity.total' })}</span>
      </div>
      <table class="cards">
        <thead><tr>
          <th scope="col">${msg('企微账号', { id: 'capacity.account' })}</th>
          <th scope="col">${msg('门店', { id: 'capacity.stores' })}</th>
          <th scope="col">${msg('客户数 / 上限', { id: 'capacity.customers' })}</th>
          <th scope="col">${msg('占用', { id: 'capacity.fill' })}</th>
          <th scope="col">${msg('预测', { id: 'capacity.forecast' })}</th>
          ${this.can.editLimits ? html`<th scope="col">${msg('上限', { id: 'capacity.limit' })}</th>` : nothing}
        </tr></thead>
        <tbody>
          ${this.items.map((a) => html`<tr data-account=${a.userid}>
            <td class="title"><strong>${a.name}</strong> <span class="muted">${a.userid}</span></td>
            <td data-label=${msg('门店', { id: 'capacity.stores' })}>${a.stores.map((s) => html`<div>${s.storeName}${s.routedTo === 'backup' && s.role === 'primary' ? html` <span class="tag warn">${msg('新客户转备用账号', { id: 'capacity.routedBackup' })}</span>` : nothing}${s.routedTo === 'none' && s.role === 'primary' ? html` <span class="tag failed">${msg('已满，入口已隐藏', { id: 'capacity.routedNone' })}</span>` : nothing}</div>`)}</td>
            <td data-col="count" data-label=${msg('客户数 / 上限', { id: 'capacity.customers' })}>${a.count.toLocaleString('en-US')} / ${a.limit.toLocaleString('en-US')}${a.drift ? html`<div class="muted">${msg(str`上次对账差异 ${a.drift}`, { id: 'capacity.drift' })}</div>` : nothing}</td>
            <td data-col="percent" data-label=${msg('占用', { id: 'capacity.fill' })}><span class="bar ${a.percent >= hard ? 'danger' : a.percent >= first ? 'warn' : ''}" aria-hidden="true"><span style="width:${Math.min(100, a.percent)}%"></span></span>${a.percent}%</td>
            <td data-col="forecast" data-label=${msg('预测', { id: 'capacity.forecast' })}>${this.forecastCell(a.forecast)}</td>
            ${this.can.editLimits
              ? html`<td data-label=${msg('上限', { id: 'capacity.limit' })}><div class="limit">
                  <input type="number" min="1" max="20000" step="1" aria-label=${msg(str`${a.name} 的容量上限`, { id: 'capacity.limitFor' })} .value=${this.drafts[a.id] ?? String(a.limit)}
                    @input=${(e: Event) => (this.drafts = { ...this.drafts, [a.id]: (e.target as HTMLInputElement).value })}
                    @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && this.saveLimit(a)} />
                  <button class="primary" ?disabled=${this.drafts[a.id] === undefined || this.drafts[a.id] === String(a.limit)} @click=${() => this.saveLimit(a)}>${msg('保存', { id: 'capacity.save' })}</button>
                </div>${this.renderNotice(a.id)}</td>`
              : nothing}
          </tr>`)}
          ${!this.loading && !this.items.length ? html`<tr><td colspan="6" class="empty">${this.q || this.branchId || this.band ? msg('没有符合条件的账号，换个条件试试', { id: 'capacity.emptyFiltered' }) : msg('还没有绑定的企微账号', { id: 'capacity.empty' })}</td></tr>` : nothing}
        </tbody>
      </table>
      <div class="pager">
        <button data-action="prev" ?disabled=${this.page <= 1} @click=${() => this.goTo(this.page - 1)}>${msg('上一页', { id: 'capacity.prev' })}</button>
        <span>${msg(str`第 ${this.page} / ${pages} 页`, { id: 'capacity.page' })}</span>
        <button data-action="next" ?disabled=${this.page >= pages} @click=${() => this.goTo(this.page + 1)}>${msg('下一页', { id: 'capacity.next' })}</button>
      </div>
    </section>`;
  }

  private channelText(channel: string) {
    if (channel === 'wecom') return msg('企业微信群机器人', { id: 'capacity.channel.wecom' });
    if (channel === 'dingtalk') return msg('钉钉群机器人', { id: 'capacity.channel.dingtalk' });
    if (channel === 'feishu') return msg('飞书群机器人', { id: 'capacity.channel.feishu' });
    return msg('其他渠道', { id: 'capacity.channel.other' });
  }

  private kindText(kind: string) {
    switch (kind) {
      case 'capacity_threshold': return msg('容量预警', { id: 'capacity.kind.threshold' });
      case 'capacity_forecast': return msg('满员预测', { id: 'capacity.kind.forecast' });
      case 'capacity_failover': return msg('切换备用账号', { id: 'capacity.kind.failover' });
      case 'capacity_full': return msg('账号已满', { id: 'capacity.kind.full' });
      case 'capacity_restored': return msg('恢复接待', { id: 'capacity.kind.restored' });
      case 'review_digest': return msg('待审核汇总', { id: 'capacity.kind.reviewDigest' });
      case 'review_decision': return msg('审核结果', { id: 'capacity.kind.reviewDecision' });
      case 'rollout_digest': return msg('推广进度', { id: 'capacity.kind.rollout' });
      case 'test': return msg('测试消息', { id: 'capacity.kind.test' });
      default: return msg('其他通知', { id: 'capacity.kind.other' });
    }
  }

  private robotName(id: string) {
    return this.routing?.robots.find((r) => r.id === id)?.name ?? msg('已移除的机器人', { id: 'capacity.robotRemoved' });
  }

  private branchName(id: string) {
    return this.branches.find((b) => b.id === id)?.name ?? msg('未知分公司', { id: 'capacity.unknownBranch' });
  }

  private renderRules() {
    if (!this.rules || !this.routing) return nothing;
    const { rules, routing } = this;
    const receives = (id: string) => [
      ...(routing.hqRobots.includes(id) ? [msg('总部：全部预警与切换通知', { id: 'capacity.hqRobot' })] : []),
      ...Object.entries(routing.branchRobots).filter(([, ids]) => ids.includes(id)).map(([b]) => msg(str`${this.branchName(b)}的预警`, { id: 'capacity.branchRobot' })),
    ].join('；');
    return html`<section aria-labelledby="rules-title">
      <h3 id="rules-title">${msg('预警规则', { id: 'capacity.rules' })}</h3>
      <dl>
        <dt>${msg('阈值', { id: 'capacity.thresholds' })}</dt><dd data-rule="thresholds">${rules.thresholds.map((t) => `${t}%`).join(' / ')}</dd>
        <dt>${msg('回落重置', { id: 'capacity.rearm' })}</dt><dd>${rules.rearmMargin}%</dd>
        <dt>${msg('切换备用账号', { id: 'capacity.hard' })}</dt><dd>${rules.hardLevel}%</dd>
        <dt>${msg('消息模板', { id: 'capacity.template' })}</dt><dd><code>${rules.template}</code></dd>
      </dl>
      <h3>${msg('机器人路由', { id: 'capacity.routing' })}</h3>
      <table class="cards">
        <thead><tr><th scope="col">${msg('机器人', { id: 'capacity.robot' })}</th><th scope="col">${msg('渠道', { id: 'capacity.channel' })}</th><th scope="col">${msg('接收', { id: 'capacity.receives' })}</th>${this.can.manageAlerts ? html`<th></th>` : nothing}</tr></thead>
        <tbody>${routing.robots.map((r) => html`<tr data-robot=${r.id}>
          <td class="title"><strong>${r.name}</strong></td>
          <td data-label=${msg('渠道', { id: 'capacity.channel' })}>${this.channelText(r.channel)}${r.signed ? html` <span class="tag ok">${msg('加签', { id: 'capacity.signed' })}</span>` : nothing}</td>
          <td data-label=${msg('接收', { id: 'capacity.receives' })}>${receives(r.id)}</td>
          ${this.can.manageAlerts ? html`<td class="actions"><button data-action="test" @click=${() => this.sendTest(r.id)}>${msg('发送测试消息', { id: 'capacity.sendTest' })}</button>${this.renderNotice(`robot:${r.id}`)}</td>` : nothing}
        </tr>`)}</tbody>
      </table>
    </section>`;
  }

  private renderDeliveries() {
    if (!this.can.readAlerts) return nothing;
    return html`<section aria-labelledby="log-title">
      <h3 id="log-title">${msg('发送记录', { id: 'capacity.deliveries' })}
        ${this.failedCount ? html`<span class="tag failed" data-failed-count>${msg(str`${this.failedCount} 条失败`, { id: 'capacity.failedCount' })}</span>` : nothing}</h3>
      <label><span><input type="checkbox" .checked=${this.failedOnly} @change=${(e: Event) => { this.failedOnly = (e.target as HTMLInputElement).checked; void this.loadDeliveries(); }} /> ${msg('只看失败', { id: 'capacity.failedOnly' })}</span></label>
      <table class="cards">
        <thead><tr>
          <th scope="col">${msg('通知与时间', { id: 'capacity.kindAndTime' })}</th>
          <th scope="col">${msg('机器人', { id: 'capacity.robot' })}</th><th scope="col">${msg('状态', { id: 'capacity.status' })}</th>
          <th scope="col">${msg('次数', { id: 'capacity.attempts' })}</th><th scope="col">${msg('消息', { id: 'capacity.message' })}</th>
          <th scope="col">${msg('最后错误', { id: 'capacity.error' })}</th>
        </tr></thead>
        <tbody>${this.deliveries.map((d) => html`<tr data-delivery=${d.id} data-status=${d.status}>
          <td class="title"><strong>${this.kindText(d.kind)}</strong> <span class="muted">${localTime(d.createdAt)}</span></td>
          <td data-label=${msg('机器人', { id: 'capacity.robot' })}>${this.robotName(d.robotId)}</td>
          <td data-label=${msg('状态', { id: 'capacity.status' })}><span class="tag ${d.status === 'sent' ? 'ok' : d.status === 'failed' ? 'failed' : 'warn'}">${this.statusText(d.status)}</span></td>
          <td data-label=${msg('次数', { id: 'capacity.attempts' })}>${d.attempts}</td>
          <td data-label=${msg('消息', { id: 'capacity.message' })} class="text">${d.text}</td>
          <td data-label=${d.lastError ? msg('最后错误', { id: 'capacity.error' }) : nothing} class="error">${d.lastError ?? ''}</td>
        </tr>`)}</tbody>
      </table>
    </section>`;
  }

  override render() {
    return html`
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.renderAccounts()}
      ${this.renderRules()}
      ${this.renderDeliveries()}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'wss-capacity-panel': WssCapacityPanel;
  }
}
