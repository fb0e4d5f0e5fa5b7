import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import '../shared/localize.js';
import { apiFetch, queryString } from '../shared/api.js';
import { loadFailed } from '../shared/errors.js';
import { baseStyles } from '../shared/styles.js';
import { localDay, localTime, timeZoneReady } from '../shared/time.js';
import { readUrlFilters, writeUrlFilters } from '../shared/url-filters.js';
import { formatCount, formatPercent, funnelOption, lineOption, percentBarsOption } from './stats-charts.js';
import '../shared/chart.js';
import { statsDashboardStyles } from './stats-dashboard.styles.js';
import type { FunnelCounts, StatsOverviewBody } from '../../plugin/contract/index.js';

type StatsOverview = StatsOverviewBody;
type Funnel = FunnelCounts;

/**
 * Metrics dashboard: binding rate by branch, the funnel, daily trends and accounts near capacity,
 * for the period and branch the user picks. People are counted once within the chosen period.
 *
 * @fires wss-filters-change - detail `{ from, to, branchId }` when the user changes a filter.
 * @fires wss-export-start - detail `{ format, url }` when the user starts an export.
 * @cssproperty --wss-primary - accent colour.
 */
@localized()
@customElement('wss-stats-dashboard')
export class WssStatsDashboard extends LitElement {
  static override styles = [baseStyles, statsDashboardStyles];

  /** Where the plugin routes are mounted, e.g. `/plugins/wecom-store-service`. */
  @property({ attribute: 'api-base' }) apiBase = '/plugins/wecom-store-service';

  @state() private data: StatsOverview | null = null;
  /** Branches in the actor's scope, kept from the unfiltered answer for the branch picker. */
  @state() private branchOptions: { id: string; name: string }[] = [];
  @state() private from = '';
  @state() private to = '';
  @state() private branchId = '';
  @state() private loading = false;
  @state() private error = '';
  @state() private refreshing = false;
  private requestSeq = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    const kept = readUrlFilters(['from', 'to', 'branch'] as const);
    this.from = kept.from ?? '';
    this.to = kept.to ?? '';
    this.branchId = kept.branch ?? '';
    void timeZoneReady(this.apiBase).then(() => this.load());
  }

  /** Reloads with the current filters. */
  async refresh(): Promise<void> {
    await this.load();
  }

  private filterQuery() {
    return queryString({ from: this.from, to: this.to, branchId: this.branchId });
  }

  private async load() {
    const seq = ++this.requestSeq;
    this.loading = true;
    writeUrlFilters({ from: this.from, to: this.to, branch: this.branchId });
    try {
      const data = await apiFetch<StatsOverview>(this.apiBase, `/stats/overview${this.filterQuery()}`);
      if (seq !== this.requestSeq) return;
      this.data = data;
      this.from = data.period.from;
      this.to = data.period.to;
      if (!data.branchId) this.branchOptions = data.branches.map((b) => ({ id: b.branchId, name: b.branchName }));
      this.error = '';
    } catch (err) {
      if (seq !== this.requestSeq) return;
      // The previous period's numbers must not stay under the new filter.
      this.data = null;
      this.error = loadFailed(err);
    } finally {
      if (seq === this.requestSeq) this.loading = false;
    }
  }

  private setFilter(name: 'from' | 'to' | 'branchId', value: string) {
    this[name] = value;
    this.dispatchEvent(
      new CustomEvent('wss-filters-change', { detail: { from: this.from, to: this.to, branchId: this.branchId || null }, bubbles: true, composed: true }),
    );
    void this.load();
  }

  /** HQ asks the server to roll up the period now, then reloads. */
  private async refreshNow() {
    this.refreshing = true;
    try {
      await apiFetch(this.apiBase, `/stats/refresh${this.filterQuery()}`, { method: 'POST' });
      this.error = '';
      await this.load();
    } catch (err) {
      this.error = (err as Error).message;
    } finally {
      this.refreshing = false;
    }
  }

  /** 今天 / 昨天 / 近7天 / 近30天 / 本月, as days in the configured time zone. */
  private presets(): { key: string; label: string; from: string; to: string }[] {
    const today = localDay();
    const shift = (day: string, n: number) => {
      const d = new Date(`${day}T00:00:00Z`);
      d.setUTCDate(d.getUTCDate() + n);
      return d.toISOString().slice(0, 10);
    };
    const yesterday = shift(today, -1);
    return [
      { key: 'today', label: msg('今天', { id: 'stats.preset.today' }), from: today, to: today },
      { key: 'yesterday', label: msg('昨天', { id: 'stats.preset.yesterday' }), from: yesterday, to: yesterday },
      { key: '7d', label: msg('近7天', { id: 'stats.preset.7d' }), from: shift(today, -6), to: today },
      { key: '30d', label: msg('近30天', { id: 'stats.preset.30d' }), from: shift(today, -29), to: today },
      { key: 'month', label: msg('本月', { id: 'stats.preset.month' }), from: `${today.slice(0, 8)}01`, to: today },
    ];
  }

  private pickPreset(from: string, to: string) {
    this.from = from;
    this.to = to;
    this.setFilter('from', from);
  }

  private renderPresets() {
    const presets = this.presets();
    const active = presets.find((p) => p.from === this.from && p.to === this.to)?.key ?? 'custom';
    return html`<div class="presets" role="group" aria-label=${msg('时间范围', { id: 'stats.range' })}>
      ${presets.map((p) => html`<button data-preset=${p.key} aria-pressed=${active === p.key ? 'true' : 'false'} @click=${() => this.pickPreset(p.from, p.to)}>${p.label}</button>`)}
      <button data-preset="custom" aria-pressed=${active === 'custom' ? 'true' : 'false'} @click=${() => (this.renderRoot.querySelector('input[data-filter="from"]') as HTMLInputElement | null)?.focus()}>${msg('自定义', { id: 'stats.preset.custom' })}</button>
    </div>`;
  }

  private exportUrl(format: 'xlsx' | 'csv') {
    return `${this.apiBase}/stats/export.${format}${this.filterQuery()}`;
  }

  private onExport(format: 'xlsx' | 'csv') {
    this.dispatchEvent(new CustomEvent('wss-export-start', { detail: { format, url: this.exportUrl(format) }, bubbles: true, composed: true }));
  }

  private stageLabels(): Record<keyof Funnel, string> {
    return {
      orderResultVisitors: msg('下单结果页访客', { id: 'stats.stage.orderResult' }),
      entryClickers: msg('点击入口', { id: 'stats.stage.entryClick' }),
      guideVisitors: msg('引导页访客', { id: 'stats.stage.guide' }),
      addClickers: msg('点击添加', { id: 'stats.stage.addClick' }),
      confirmedAdds: msg('确认添加', { id: 'stats.stage.confirmed' }),
      guideAdds: msg('引导后已添加', { id: 'stats.stage.guideAdds' }),
      directAdds: msg('无引导页访问的添加', { id: 'stats.stage.directAdds' }),
    };
  }

  private renderToolbar() {
    const d = this.data;
    return html`${this.renderPresets()}<div class="toolbar" role="search">
      <label>${msg('开始日期', { id: 'stats.from' })}
        <input type="date" data-filter="from" .value=${this.from} max=${this.to} @change=${(e: Event) => this.setFilter('from', (e.target as HTMLInputElement).value)} /></label>
      <label>${msg('结束日期', { id: 'stats.to' })}
        <input type="date" data-filter="to" .value=${this.to} min=${this.from} @change=${(e: Event) => this.setFilter('to', (e.target as HTMLInputElement).value)} /></label>
      ${this.branchOptions.length > 1
        ? html`<label>${msg('分公司', { id: 'stats.branch' })}
            <select data-filter="branch" @change=${(e: Event) => this.setFilter('branchId', (e.target as HTMLSelectElement).value)}>
              <option value="">${msg('全部分公司', { id: 'stats.allBranches' })}</option>
              ${this.branchOptions.map((b) => html`<option value=${b.id} ?selected=${b.id === this.branchId}>${b.name}</option>`)}
            </select></label>`
        : nothing}
      ${d?.canExport
        ? html`<a class="button primary" data-export="xlsx" href=${this.exportUrl('xlsx')} download @click=${() => this.onExport('xlsx')}>${msg('导出 Excel', { id: 'stats.exportXlsx' })}</a>
            <a class="button" data-export="csv" href=${this.exportUrl('csv')} download @click=${() => this.onExport('csv')}>${msg('导出 CSV', { id: 'stats.exportCsv' })}</a>`
        : nothing}
      <span class="muted" aria-live="polite">${this.loading ? msg('加载中…', { id: 'stats.loading' }) : nothing}</span>
    </div>`;
  }

  private renderKpis(d: StatsOverview) {
    const kpi = (key: string, label: string, value: number | null, note: string) =>
      html`<div class="kpi" data-kpi=${key}><div class="kpi-label">${label}</div><div class="kpi-value">${formatPercent(value)}</div><div class="muted small">${note}</div></div>`;
    return html`<div class="kpis">
      ${kpi('bindingRate', msg('绑定率', { id: 'stats.bindingRate' }), d.binding.bindingRate,
        msg(str`${d.binding.boundStores} / ${d.binding.openStores} 家营业门店已绑定可用账号`, { id: 'stats.bindingNote' }))}
      ${kpi('entryClickRate', msg('入口点击率', { id: 'stats.entryClickRate' }), d.rates.entryClickRate, msg('点击入口 ÷ 下单结果页访客', { id: 'stats.entryClickNote' }))}
      ${kpi('addClickRate', msg('添加点击率', { id: 'stats.addClickRate' }), d.rates.addClickRate, msg('点击添加 ÷ 引导页访客', { id: 'stats.addClickNote' }))}
      ${kpi('addRate', msg('添加率', { id: 'stats.addRate' }), d.rates.addRate, msg('引导访问已归因添加的访客 ÷ 引导页访客', { id: 'stats.addRateNote' }))}
    </div>
    <p class="note" data-testid="side-figures">
      <span data-figure="unusableOnlyStores">${msg(str`仅绑定不可用账号的营业门店：${d.binding.unusableOnlyStores} 家`, { id: 'stats.unusableOnly' })}</span> ·
      <span data-figure="confirmedAdds">${msg(str`企微确认添加客户：${d.funnel.confirmedAdds} 人`, { id: 'stats.confirmedTotal' })}</span> ·
      <span data-figure="directAdds">${msg(str`其中无引导页访问（门店活码等）：${d.funnel.directAdds} 人`, { id: 'stats.directAdds' })}</span>
    </p>`;
  }

  private renderBody(d: StatsOverview) {
    const labels = this.stageLabels();
    const funnelKeys: (keyof Funnel)[] = ['orderResultVisitors', 'entryClickers', 'guideVisitors', 'addClickers', 'guideAdds'];
    const steps = funnelKeys.map((key) => ({ key, label: labels[key], count: d.funnel[key] }));
    const funnelSummary = steps.map((s) => `${s.label} ${formatCount(s.count)}`).join('，');
    const bars = d.branches.map((b) => ({
      key: b.branchId,
      label: b.branchName,
      value: b.bindingRate,
      note: msg(str`${b.boundStores}/${b.openStores} 家`, { id: 'stats.storesNote' }),
    }));
    const barsSummary = bars.map((b) => `${b.label} ${formatPercent(b.value)}`).join('，');
    const trendKeys: (keyof Funnel)[] = ['orderResultVisitors', 'guideVisitors', 'guideAdds'];
    const series = trendKeys.map((key) => ({ key, label: labels[key], values: d.trend.map((t) => t[key]) }));
    const days = d.trend.map((t) => t.day);
    return html`
      ${this.renderKpis(d)}
      <p class="note" data-testid="distinct-note">${msg(
        str`人数为 ${d.period.from} 至 ${d.period.to}（${d.period.days} 天）内去重：同一访客在区间内多天出现只计一次，不是每日人数相加。`,
        { id: 'stats.distinctNote' },
      )}</p>
      <div class="grid">
        <section aria-labelledby="funnel-title">
          <h3 id="funnel-title">${msg('转化漏斗', { id: 'stats.funnel' })}</h3>
          <wss-chart data-chart="funnel" style="--wss-chart-height: 240px" .label=${funnelSummary} .option=${funnelOption(steps, msg('较上一步', { id: 'stats.shareOfPrevious' }))}></wss-chart>
        </section>
        <section aria-labelledby="binding-title">
          <h3 id="binding-title">${msg('各分公司绑定率', { id: 'stats.bindingByBranch' })}</h3>
          ${bars.length
            ? html`<wss-chart data-chart="branches" style=${`--wss-chart-height: ${Math.max(120, bars.length * 40 + 40)}px`} .label=${barsSummary} .option=${percentBarsOption(bars, msg('绑定率', { id: 'stats.bindingRate' }))}></wss-chart>`
            : html`<p class="muted">${msg('暂无门店', { id: 'stats.noStores' })}</p>`}
        </section>
        <section aria-labelledby="trend-title" class="wide">
          <h3 id="trend-title">${msg('每日趋势', { id: 'stats.trend' })} <span class="muted small">${msg('（按日去重）', { id: 'stats.dailyDistinct' })}</span></h3>
          <wss-chart data-chart="trend" .label=${series.map((s) => `${s.label}: ${s.values.map(formatCount).join(', ')}`).join('; ')} .option=${lineOption(days, series)}></wss-chart>
        </section>
        ${this.renderBindingTrend(d)}
        <section aria-labelledby="capacity-title" class="wide">
          <h3 id="capacity-title">${msg(str`接近容量上限的账号（≥ ${Math.round(d.nearCapacity.threshold * 100)}%）`, { id: 'stats.nearCapacity' })}</h3>
          ${d.nearCapacity.accounts.length
            ? html`<ul class="capacity">${d.nearCapacity.accounts.map((a) => html`<li data-account=${a.userid}>
                <span class="who">${a.name} <span class="muted small">${a.userid} · ${a.storeNames.join('、')}</span></span>
                <span class="meter" role="meter" aria-valuemin="0" aria-valuemax=${a.capacityLimit} aria-valuenow=${a.customerCount}
                  aria-label=${msg(str`${a.name} 已用 ${formatPercent(a.usage)}`, { id: 'stats.usedLabel' })}>
                  <span class=${a.usage >= 1 ? 'fill full' : 'fill'} style="width:${Math.min(100, a.usage * 100)}%"></span></span>
                <span class="small">${formatCount(a.customerCount)} / ${formatCount(a.capacityLimit)}</span>
              </li>`)}</ul>`
            : html`<p class="muted">${msg('没有接近上限的账号', { id: 'stats.noneNearCapacity' })}</p>`}
        </section>
      </div>
      ${d.rolledUpAt
        ? html`<p class="muted small" data-testid="freshness">${msg(str`数据汇总于 ${localTime(d.rolledUpAt)}`, { id: 'stats.rolledUpAt' })}</p>`
        : html`<p class="muted small" data-testid="freshness">${msg('数据尚未汇总', { id: 'stats.notRolledUp' })}</p>`}
      ${d.canRefresh
        ? html`<button type="button" class="button" data-action="refresh" ?disabled=${this.refreshing} @click=${() => void this.refreshNow()}>
            ${this.refreshing ? msg('正在刷新…', { id: 'stats.refreshing' }) : msg('立即刷新数据', { id: 'stats.refresh' })}</button>`
        : nothing}
      ${this.renderFootnote()}
    `;
  }

  /** Binding rate per day of the period, from the daily snapshots (days before the first one are left out). */
  private renderBindingTrend(d: StatsOverview) {
    const points = d.bindingTrend.filter((p) => p.bindingRate !== null);
    const label = msg('绑定率（%）', { id: 'stats.bindingTrendSeries' });
    const values = points.map((p) => Math.round((p.bindingRate ?? 0) * 1000) / 10);
    return html`<section aria-labelledby="binding-trend-title" class="wide" data-testid="binding-trend">
      <h3 id="binding-trend-title">${msg('绑定率趋势', { id: 'stats.bindingTrend' })}</h3>
      ${points.length
        ? html`<wss-chart data-chart="binding-trend" .label=${`${label}: ${points.map((p, i) => `${p.day} ${values[i]}%`).join(', ')}`} .option=${lineOption(points.map((p) => p.day), [{ key: 'bindingRate', label, values }])}></wss-chart>`
        : html`<p class="muted">${msg('所选区间内还没有每日绑定快照', { id: 'stats.noBindingTrend' })}</p>`}
    </section>`;
  }

  /** The definitions every number above follows (docs/metrics.md says the same). */
  private renderFootnote() {
    return html`<footer class="footnote muted small" data-testid="definitions">
      <p>${msg('口径：人数为所选区间与范围内去重；日期按所配置时区的自然日。', { id: 'stats.def.distinct' })}</p>
      <p>${msg('绑定率 = 有生效中主账号或备用账号、且企业微信报告该账号可用的营业门店 ÷ 营业门店；已停用、已离职或已删除的账号不算，已关闭门店不计入。', { id: 'stats.def.binding' })}</p>
      <p>${msg('入口点击率 = 点击入口访客 ÷ 下单结果页访客；添加点击率 = 点击添加访客 ÷ 引导页访客。', { id: 'stats.def.clicks' })}</p>
      <p>${msg('添加率 = 引导访问通过 state 归因到企微添加的引导页访客 ÷ 引导页访客，不超过 100%；无引导页访问的添加（门店活码等）单独列出。', { id: 'stats.def.addRate' })}</p>
      <p>${msg('门店的数据归属于事件当天门店所属的分公司。', { id: 'stats.def.branch' })}</p>
    </footer>`;
  }

  override render() {
    return html`
      ${this.renderToolbar()}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.data ? this.renderBody(this.data) : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'wss-stats-dashboard': WssStatsDashboard;
  }
}
