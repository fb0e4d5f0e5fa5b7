import { svg, type SVGTemplateResult } from 'lit';

/**
 * Small SVG charts drawn by <wss-stats-dashboard>: no chart library, fixed viewBox, scales with the
 * container. Every chart is role="img" with a text summary, so screen readers get the numbers too.
 */
export const formatCount = (n: number) => n.toLocaleString('zh-CN');
export const formatPercent = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

const PALETTE = ['#3370ff', '#14c0ff', '#34c724', '#ffc60a', '#f54a45'];

export interface FunnelStep {
  key: string;
  label: string;
  count: number;
}

/** Centred bars, widest first; each step shows its count and the share of the step before it. */
export function funnelChart(steps: FunnelStep[], summary: string): SVGTemplateResult {
  const width = 440;
  const rowHeight = 40;
  const labelWidth = 104;
  const max = Math.max(1, ...steps.map((s) => s.count));
  const barSpace = width - labelWidth - 64;
  return svg`<svg viewBox="0 0 ${width} ${steps.length * rowHeight}" role="img" aria-label=${summary} class="chart funnel">
    ${steps.map((step, i) => {
      const w = Math.max(2, (step.count / max) * barSpace);
      const x = labelWidth + (barSpace - w) / 2;
      const y = i * rowHeight + 6;
      const prev = i > 0 ? steps[i - 1].count : null;
      const share = prev ? formatPercent(step.count / prev) : '';
      const count = formatCount(step.count);
      // A bar too narrow for its number gets the number beside it, in the text colour.
      const fits = w >= count.length * 8 + 12;
      return svg`<g data-stage=${step.key} data-count=${step.count}>
        <text x=${labelWidth - 8} y=${y + 19} text-anchor="end" class="label">${step.label}</text>
        <rect x=${x} y=${y} width=${w} height=${rowHeight - 12} rx="4" fill=${PALETTE[i % PALETTE.length]}></rect>
        ${fits
          ? svg`<text x=${labelWidth + barSpace / 2} y=${y + 19} text-anchor="middle" class="value on-bar">${count}</text>`
          : svg`<text x=${x + w + 6} y=${y + 19} text-anchor="start" class="value">${count}</text>`}
        ${share ? svg`<text x=${labelWidth + barSpace + 8} y=${y + 6} class="muted small">↓ ${share}</text>` : null}
      </g>`;
    })}
  </svg>`;
}

export interface BarItem {
  key: string;
  label: string;
  /** 0..1, or null when there is nothing to divide by. */
  value: number | null;
  note: string;
}

/** Horizontal percentage bars on a 0–100 % scale (binding rate by branch). */
export function percentBars(items: BarItem[], summary: string): SVGTemplateResult {
  const width = 440;
  const rowHeight = 32;
  const labelWidth = 84;
  const barSpace = width - labelWidth - 120;
  return svg`<svg viewBox="0 0 ${width} ${Math.max(1, items.length) * rowHeight + 18}" role="img" aria-label=${summary} class="chart bars">
    ${[0, 0.5, 1].map((t) => svg`<g>
      <line x1=${labelWidth + t * barSpace} x2=${labelWidth + t * barSpace} y1="0" y2=${items.length * rowHeight} class="grid"></line>
      <text x=${labelWidth + t * barSpace} y=${items.length * rowHeight + 14} text-anchor="middle" class="muted small">${t * 100}%</text>
    </g>`)}
    ${items.map((item, i) => {
      const y = i * rowHeight + 6;
      const w = (item.value ?? 0) * barSpace;
      return svg`<g data-branch=${item.key} data-rate=${item.value ?? ''}>
        <text x=${labelWidth - 10} y=${y + 16} text-anchor="end" class="label">${item.label}</text>
        <rect x=${labelWidth} y=${y} width=${barSpace} height="22" rx="4" class="track"></rect>
        <rect x=${labelWidth} y=${y} width=${w} height="22" rx="4" fill=${PALETTE[0]}></rect>
        <text x=${labelWidth + barSpace + 10} y=${y + 16} class="value">${formatPercent(item.value)}</text>
        <text x=${labelWidth + barSpace + 60} y=${y + 16} class="muted small">${item.note}</text>
      </g>`;
    })}
  </svg>`;
}

export interface Series {
  key: string;
  label: string;
  values: number[];
}

/** Daily lines with a shared y axis (nice round ticks) and sparse date labels. */
export function lineChart(days: string[], series: Series[], summary: string): SVGTemplateResult {
  const width = 960;
  const height = 240;
  const pad = { left: 48, right: 28, top: 12, bottom: 28 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const max = niceMax(Math.max(1, ...series.flatMap((s) => s.values)));
  const x = (i: number) => pad.left + (days.length <= 1 ? plotW / 2 : (i / (days.length - 1)) * plotW);
  const y = (v: number) => pad.top + plotH - (v / max) * plotH;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((t) => Math.round(max * t));
  const labelEvery = Math.max(1, Math.ceil(days.length / 7));
  return svg`<svg viewBox="0 0 ${width} ${height}" role="img" aria-label=${summary} class="chart trend">
    ${ticks.map((t) => svg`<g>
      <line x1=${pad.left} x2=${width - pad.right} y1=${y(t)} y2=${y(t)} class="grid"></line>
      <text x=${pad.left - 6} y=${y(t) + 4} text-anchor="end" class="muted small">${formatCount(t)}</text>
    </g>`)}
    ${days.map((d, i) => (i % labelEvery === 0 || i === days.length - 1
      ? svg`<text x=${x(i)} y=${height - 8} text-anchor="middle" class="muted small">${d.slice(5)}</text>`
      : null))}
    ${series.map((s, si) => svg`<g data-series=${s.key}>
      <polyline fill="none" stroke=${PALETTE[si % PALETTE.length]} stroke-width="2" points=${s.values.map((v, i) => `${x(i)},${y(v)}`).join(' ')}></polyline>
      ${days.length <= 31 ? s.values.map((v, i) => svg`<circle cx=${x(i)} cy=${y(v)} r="2.5" fill=${PALETTE[si % PALETTE.length]}><title>${days[i]} ${s.label}: ${formatCount(v)}</title></circle>`) : null}
    </g>`)}
  </svg>`;
}

export const seriesColor = (i: number) => PALETTE[i % PALETTE.length];

function niceMax(v: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= v) return step * magnitude;
  return 10 * magnitude;
}
