import type { ChartOption } from '../shared/chart.js';

/**
 * ECharts options for <wss-stats-dashboard>: funnel, binding rate by branch, daily trend. Each
 * tooltip shows the same figures the API answered (counts with thousands separators, rates to one
 * decimal); <wss-chart> draws them inside the element's shadow root.
 */
export const formatCount = (n: number) => n.toLocaleString('zh-CN');
export const formatPercent = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

export interface FunnelStep {
  key: string;
  label: string;
  count: number;
}

type TipParam = { dataIndex: number; seriesName?: string; marker?: string; value?: unknown; axisValue?: string };

/** One bar per step, in the API's order; the tooltip gives the count and the share of the step before. */
export function funnelOption(steps: FunnelStep[], shareLabel: string): ChartOption {
  const share = (i: number) => (i > 0 && steps[i - 1].count ? formatPercent(steps[i].count / steps[i - 1].count) : null);
  return {
    grid: { left: 8, right: 96, top: 8, bottom: 8, containLabel: true },
    tooltip: {
      trigger: 'item',
      formatter: (p: TipParam) => {
        const step = steps[p.dataIndex];
        const s = share(p.dataIndex);
        return `${step.label}：<b data-count="${step.count}">${formatCount(step.count)}</b>${s ? `<br/>${shareLabel} ${s}` : ''}`;
      },
    },
    xAxis: { type: 'value', show: false },
    yAxis: { type: 'category', inverse: true, data: steps.map((s) => s.label), axisTick: { show: false }, axisLine: { show: false } },
    series: [
      {
        type: 'bar',
        barMaxWidth: 26,
        colorBy: 'data',
        label: {
          show: true,
          position: 'right',
          formatter: (p: TipParam) => {
            const s = share(p.dataIndex);
            return s ? `${formatCount(steps[p.dataIndex].count)}  ↓${s}` : formatCount(steps[p.dataIndex].count);
          },
        },
        data: steps.map((s) => s.count),
      },
    ],
  };
}

export interface BarItem {
  key: string;
  label: string;
  /** 0..1, or null when there is nothing to divide by. */
  value: number | null;
  note: string;
}

/** Horizontal bars on a 0–100 % axis, one per branch; the tooltip adds the stores bound. */
export function percentBarsOption(items: BarItem[], seriesName: string): ChartOption {
  return {
    grid: { left: 8, right: 56, top: 8, bottom: 24, containLabel: true },
    tooltip: {
      trigger: 'item',
      formatter: (p: TipParam) => `${items[p.dataIndex].label}<br/>${seriesName}：<b>${formatPercent(items[p.dataIndex].value)}</b>（${items[p.dataIndex].note}）`,
    },
    xAxis: { type: 'value', min: 0, max: 100, interval: 25, axisLabel: { formatter: '{value}%' } },
    yAxis: { type: 'category', inverse: true, data: items.map((i) => i.label), axisTick: { show: false } },
    series: [
      {
        type: 'bar',
        name: seriesName,
        barMaxWidth: 22,
        showBackground: true,
        label: { show: true, position: 'right', formatter: (p: TipParam) => formatPercent(items[p.dataIndex].value) },
        data: items.map((i) => (i.value === null ? null : Math.round(i.value * 1000) / 10)),
      },
    ],
  };
}

export interface Series {
  key: string;
  label: string;
  values: number[];
}

/** Daily lines with a legend, "MM-DD" day labels and one tooltip per day listing every series. */
export function lineOption(days: string[], series: Series[]): ChartOption {
  return {
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    legend: { top: 0, data: series.map((s) => s.label) },
    tooltip: {
      trigger: 'axis',
      formatter: (params: TipParam[]) => {
        const i = params[0]?.dataIndex ?? 0;
        return [days[i], ...params.map((p) => `${p.marker ?? ''}${p.seriesName}：<b>${formatCount(series.find((s) => s.label === p.seriesName)!.values[i])}</b>`)].join('<br/>');
      },
    },
    xAxis: { type: 'category', boundaryGap: false, data: days, axisLabel: { formatter: (d: string) => d.slice(5) } },
    yAxis: { type: 'value', minInterval: 1, axisLabel: { formatter: (v: number) => formatCount(v) } },
    series: series.map((s) => ({ type: 'line', name: s.label, data: s.values, showSymbol: days.length <= 31, symbolSize: 5 })),
  };
}
