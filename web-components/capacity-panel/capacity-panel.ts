import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import '../shared/localize.js';
import { apiFetch, queryString } from '../shared/api.js';
import { baseStyles } from '../shared/styles.js';
import { capacityPanelStyles } from './capacity-panel.styles.js';
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
  @property({ type: Number, attribute: 'page-size' }) pageSize = 50;

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
  @state() private error = '';
  @state() private loading = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
  }

  /** Reloads accounts, and rules/routing/log when the actor may read them. */
  async refresh(): Promise<void> {
    await this.loadAccounts();
    if (this.can.readAlerts) await Promise.all([this.loadRules(), this.loadDeliveries()]);
  }

  private async loadAccounts() {
    this.loading = true;
    try {
      const band = this.band;
      const result = await apiFetch<CapacityAccountsBody>(
        this.apiBase,
        `/capacity/accounts${queryString({ minPercent: band?.from, maxPercent: band?.to ?? undefined, pageSize: this.pageSize })}`,
      );
      this.items = result.items;
      this.bands = result.bands;
      this.total = result.total;
      this.can = result.can;
      this.error = '';
    } catch (err) {
      this.error = (err as Error).message;
    } finally {
      this.loading = false;
    }
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
    void this.loadAccounts();
  }

  private async saveLimit(account: AccountItem) {
    const limit = Number(this.drafts[account.id]);
    try {
      await apiFetch(this.apiBase, `/capacity/accounts/${account.id}/limit`, { method: 'PUT', body: JSON.stringify({ limit }) });
      this.notice = msg('上限已保存', { id: 'capacity.saved' });
      const { [account.id]: _saved, ...rest } = this.drafts;
      this.drafts = rest;
      this.dispatchEvent(new CustomEvent('wss-capacity-limit-change', { detail: { accountId: account.id, limit }, bubbles: true, composed: true }));
      await this.refresh();
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  private async sendTest(robotId: string) {
    try {
      const { delivery } = await apiFetch<TestSendBody>(this.apiBase, `/alerts/robots/${robotId}/test`, { method: 'POST' });
      this.notice = msg(str`测试消息：${this.statusText(delivery?.status ?? 'failed')}`, { id: 'capacity.testResult' });
      this.dispatchEvent(new CustomEvent('wss-alert-test-send', { detail: { robotId, status: delivery?.status ?? 'failed' }, bubbles: true, composed: true }));
      await this.loadDeliveries();
    } catch (err) {
      this.error = (err as Error).message;
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
    if (f.daysToFull === null) return html`<span class="muted">${msg('未增长', { id: 'capacity.noForecast' })}</span>`;
    return html`${f.nextLevel !== null && f.daysToNext !== null ? html`${msg(str`${f.daysToNext} 天后达 ${f.nextLevel}%`, { id: 'capacity.forecastNext' })}<br />` : nothing}${msg(str`${f.daysToFull} 天后满员`, { id: 'capacity.forecastFull' })}`;
  }

  private renderAccounts() {
    const hard = this.rules?.hardLevel ?? 95;
    const first = this.bands[1]?.from ?? 70;
    return html`<section aria-labelledby="accounts-title">
      <h3 id="accounts-title">${msg('账号容量（按占用排序）', { id: 'capacity.accounts' })}</h3>
      <div class="bands" role="group">
        <button aria-pressed=${this.band === null ? 'true' : 'false'} @click=${() => this.pickBand(null)}>${msg('全部', { id: 'capacity.all' })} (${this.bands.reduce((n, b) => n + b.count, 0)})</button>
        ${this.bands.map((b) => html`<button data-band=${b.from} aria-pressed=${this.band?.from === b.from ? 'true' : 'false'} @click=${() => this.pickBand(b)}>${this.bandLabel(b)} (${b.count})</button>`)}
        <span class="muted" aria-live="polite">${this.loading ? msg('加载中…', { id: 'capacity.loading' }) : msg(str`共 ${this.total} 个账号`, { id: 'capacity.total' })}</span>
      </div>
      <table>
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
            <td>${a.name} <span class="muted">(${a.userid})</span></td>
            <td>${a.stores.map((s) => html`<div>${s.storeName}${s.routedTo === 'backup' && s.role === 'primary' ? html` <span class="tag warn">${msg('新客户转备用账号', { id: 'capacity.routedBackup' })}</span>` : nothing}${s.routedTo === 'none' && s.role === 'primary' ? html` <span class="tag failed">${msg('已满，入口已隐藏', { id: 'capacity.routedNone' })}</span>` : nothing}</div>`)}</td>
            <td data-col="count">${a.count} / ${a.limit}${a.drift ? html`<div class="muted">${msg(str`上次对账差异 ${a.drift}`, { id: 'capacity.drift' })}</div>` : nothing}</td>
            <td data-col="percent"><span class="bar ${a.percent >= hard ? 'danger' : a.percent >= first ? 'warn' : ''}" aria-hidden="true"><span style="width:${Math.min(100, a.percent)}%"></span></span>${a.percent}%</td>
            <td data-col="forecast">${this.forecastCell(a.forecast)}</td>
            ${this.can.editLimits
              ? html`<td><div class="limit">
                  <input type="number" min="1" max="20000" step="1" aria-label=${msg(str`${a.name} 的容量上限`, { id: 'capacity.limitFor' })} .value=${this.drafts[a.id] ?? String(a.limit)}
                    @input=${(e: Event) => (this.drafts = { ...this.drafts, [a.id]: (e.target as HTMLInputElement).value })}
                    @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && this.saveLimit(a)} />
                  <button class="primary" ?disabled=${this.drafts[a.id] === undefined || this.drafts[a.id] === String(a.limit)} @click=${() => this.saveLimit(a)}>${msg('保存', { id: 'capacity.save' })}</button>
                </div></td>`
              : nothing}
          </tr>`)}
          ${!this.loading && !this.items.length ? html`<tr><td colspan="6" class="muted">${msg('没有账号', { id: 'capacity.empty' })}</td></tr>` : nothing}
        </tbody>
      </table>
    </section>`;
  }

  private renderRules() {
    if (!this.rules || !this.routing) return nothing;
    const { rules, routing } = this;
    const receives = (id: string) => [
      ...(routing.hqRobots.includes(id) ? [msg('总部：全部预警与切换通知', { id: 'capacity.hqRobot' })] : []),
      ...Object.entries(routing.branchRobots).filter(([, ids]) => ids.includes(id)).map(([b]) => msg(str`分公司 ${b}`, { id: 'capacity.branchRobot' })),
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
      <table>
        <thead><tr><th scope="col">${msg('机器人', { id: 'capacity.robot' })}</th><th scope="col">${msg('渠道', { id: 'capacity.channel' })}</th><th scope="col">${msg('接收', { id: 'capacity.receives' })}</th>${this.can.manageAlerts ? html`<th></th>` : nothing}</tr></thead>
        <tbody>${routing.robots.map((r) => html`<tr data-robot=${r.id}>
          <td>${r.name}</td>
          <td>${r.channel}${r.signed ? html` <span class="tag ok">${msg('加签', { id: 'capacity.signed' })}</span>` : nothing}</td>
          <td>${receives(r.id)}</td>
          ${this.can.manageAlerts ? html`<td><button @click=${() => this.sendTest(r.id)}>${msg('发送测试消息', { id: 'capacity.sendTest' })}</button></td>` : nothing}
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
      <table>
        <thead><tr>
          <th scope="col">${msg('时间', { id: 'capacity.time' })}</th><th scope="col">${msg('类型', { id: 'capacity.kind' })}</th>
          <th scope="col">${msg('机器人', { id: 'capacity.robot' })}</th><th scope="col">${msg('状态', { id: 'capacity.status' })}</th>
          <th scope="col">${msg('次数', { id: 'capacity.attempts' })}</th><th scope="col">${msg('消息', { id: 'capacity.message' })}</th>
          <th scope="col">${msg('最后错误', { id: 'capacity.error' })}</th>
        </tr></thead>
        <tbody>${this.deliveries.map((d) => html`<tr data-delivery=${d.id} data-status=${d.status}>
          <td>${new Date(d.createdAt).toLocaleString()}</td><td>${d.kind}</td><td>${d.robotId}</td>
          <td><span class="tag ${d.status === 'sent' ? 'ok' : d.status === 'failed' ? 'failed' : 'warn'}">${this.statusText(d.status)}</span></td>
          <td>${d.attempts}</td><td>${d.text}</td><td class="error">${d.lastError ?? ''}</td>
        </tr>`)}</tbody>
      </table>
    </section>`;
  }

  override render() {
    return html`
      ${this.error ? html`<p class="error" role="alert">${msg(str`加载失败：${this.error}`, { id: 'common.error' })}</p>` : nothing}
      ${this.notice ? html`<p class="muted" role="status">${this.notice}</p>` : nothing}
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
