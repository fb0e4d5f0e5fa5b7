import { LitElement, css, html } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import * as echarts from 'echarts/core';
import { BarChart, FunnelChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([BarChart, FunnelChart, LineChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

const DEFAULT_PALETTE = ['#3370ff', '#14c0ff', '#34c724', '#ffc60a', '#f54a45'];

/**
 * One Apache ECharts chart (tree-shaken `echarts/core`, SVG renderer), drawn and with its tooltip
 * inside this element's shadow root, resized with its box.
 *
 * @summary A chart for the admin elements.
 * @cssproperty --wss-chart-height - Height of the plot (default 260px).
 * @cssproperty --wss-chart-1 - First series colour (…-2 to -5 likewise).
 * @cssproperty --wss-text - Axis and label colour.
 */
@customElement('wss-chart')
export class WssChart extends LitElement {
  static override styles = css`
    :host { display: block; position: relative; min-width: 0; }
    .box { width: 100%; height: var(--wss-chart-height, 260px); }
  `;

  /** The ECharts option; colours and text style come from the CSS custom properties. */
  @property({ attribute: false }) option: ChartOption | null = null;
  /** A text summary of the numbers for screen readers. */
  @property() label = '';

  @query('.box') private box!: HTMLDivElement;
  private chart?: echarts.ECharts;
  private resizer?: ResizeObserver;

  override render() {
    return html`<div class="box" part="box" role="img" aria-label=${this.label}></div>`;
  }

  override firstUpdated(): void {
    this.chart = echarts.init(this.box, undefined, { renderer: 'svg' });
    this.resizer = new ResizeObserver(() => this.chart?.resize());
    this.resizer.observe(this.box);
    this.apply();
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('option') && this.chart) this.apply();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizer?.disconnect();
    this.chart?.dispose();
    this.chart = undefined;
  }

  /** Shows the tooltip of one data point (keyboard users and tests reach the numbers this way). */
  showTip(seriesIndex: number, dataIndex: number): void {
    this.chart?.dispatchAction({ type: 'showTip', seriesIndex, dataIndex });
  }

  private theme() {
    const style = getComputedStyle(this);
    const palette = DEFAULT_PALETTE.map((fallback, i) => style.getPropertyValue(`--wss-chart-${i + 1}`).trim() || fallback);
    const text = style.getPropertyValue('--wss-text').trim() || '#1f2329';
    return { palette, text, font: style.fontFamily };
  }

  private apply() {
    if (!this.chart || !this.option) return;
    const { palette, text, font } = this.theme();
    this.chart.setOption(
      {
        color: palette,
        textStyle: { color: text, fontFamily: font },
        tooltip: { confine: true, appendToBody: false, textStyle: { fontFamily: font } },
        animation: false,
        ...this.option,
      },
      { notMerge: true },
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'wss-chart': WssChart;
  }
}
