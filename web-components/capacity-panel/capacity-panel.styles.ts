import { css } from 'lit';

export const capacityPanelStyles = css`
  section { margin-bottom: 24px; }
  h3 { font-size: 15px; margin: 0 0 8px; }
  .bands { display: flex; gap: 8px; flex-wrap: wrap; margin-bottom: 12px; }
  .bands button[aria-pressed='true'] { border-color: var(--wss-primary, #3370ff); color: var(--wss-primary, #3370ff); }
  .bar { position: relative; width: 120px; height: 8px; background: #eef0f2; border-radius: 4px; overflow: hidden; display: inline-block; vertical-align: middle; margin-right: 6px; }
  .bar > span { position: absolute; inset: 0 auto 0 0; background: #34c724; }
  .bar.warn > span { background: #ff8800; }
  .bar.danger > span { background: #f54a45; }
  .limit { display: flex; gap: 6px; align-items: center; }
  .limit input { width: 90px; }
  .tag.failed { background: #fde2e2; color: #d83931; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0 0 12px; }
  dt { color: #646a73; }
  dd { margin: 0; }
  td.text { max-width: 420px; }
  td.title strong { font-weight: 600; }
  @media (max-width: 600px) {
    .bar { width: 80px; }
    .limit { flex-wrap: wrap; }
    td.text { max-width: none; }
    dl { grid-template-columns: 1fr; }
    code { white-space: pre-wrap; overflow-wrap: anywhere; }
  }
  code { background: #f2f3f5; padding: 1px 4px; border-radius: 4px; }
`;
