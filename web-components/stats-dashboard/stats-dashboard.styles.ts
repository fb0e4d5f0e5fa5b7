import { css } from 'lit';

export const statsDashboardStyles = css`
  .presets { display: flex; flex-wrap: wrap; gap: 6px; margin-bottom: 10px; }
  .presets button[aria-pressed='true'] { border-color: var(--wss-primary, #3370ff); color: var(--wss-primary, #3370ff); background: #eef3ff; }
  a.button { display: inline-block; text-decoration: none; color: inherit; padding: 6px 12px; border: 1px solid #d0d3d6; border-radius: 6px; background: #fff; }
  a.button.primary { background: var(--wss-primary, #3370ff); border-color: var(--wss-primary, #3370ff); color: #fff; }
  .kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; margin-bottom: 8px; }
  .kpi { background: #fff; border-radius: 8px; padding: 14px 16px; box-shadow: 0 1px 2px rgba(0, 0, 0, 0.06); }
  .kpi-label { font-size: 13px; color: #646a73; }
  .kpi-value { font-size: 28px; font-weight: 600; margin: 4px 0; color: var(--wss-primary, #3370ff); }
  .note { background: #f0f4ff; border-radius: 6px; padding: 8px 12px; font-size: 13px; color: #3b4a66; }
  .grid { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
  @media (max-width: 760px) { .grid { grid-template-columns: 1fr; } }
  section { background: #fff; border-radius: 8px; padding: 12px 16px; box-shadow: 0 1px 2px rgba(0, 0, 0, 0.06); }
  section.wide { grid-column: 1 / -1; }
  h3 { font-size: 15px; margin: 4px 0 10px; }
  .small { font-size: 12px; }
  .chart { width: 100%; height: auto; display: block; font-size: 12px; }
  .chart.trend { font-size: 13px; }
  .chart .small { font-size: 10px; }
  .chart.trend .small { font-size: 12px; }
  .chart .label { fill: #1f2329; }
  .chart .value { fill: #1f2329; font-weight: 600; }
  .chart .on-bar { fill: #fff; paint-order: stroke; stroke: rgba(0, 0, 0, 0.25); stroke-width: 2px; }
  .chart .muted { fill: #8f959e; }
  .chart .grid { stroke: #eef0f2; }
  .chart .track { fill: #f2f3f5; }
  .legend { display: flex; gap: 16px; list-style: none; padding: 0; margin: 0 0 6px; font-size: 13px; }
  .swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
  .capacity { list-style: none; padding: 0; margin: 0; }
  .capacity li { display: grid; grid-template-columns: minmax(160px, 2fr) 3fr auto; gap: 12px; align-items: center; padding: 6px 0; border-bottom: 1px solid #eef0f2; }
  .meter { display: block; height: 10px; background: #f2f3f5; border-radius: 5px; overflow: hidden; }
  .meter .fill { display: block; height: 100%; background: #ff8800; }
  .meter .fill.full { background: #d83931; }
`;
