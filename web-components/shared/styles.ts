import { css } from 'lit';

/** Shared look of the admin elements; hosts can theme through the --wss-* custom properties. */
export const baseStyles = css`
  :host {
    display: block;
    font-family: var(--wss-font, system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif);
    color: var(--wss-text, #1f2329);
    font-size: 14px;
  }
  .toolbar { display: flex; flex-wrap: wrap; gap: 12px; align-items: end; margin-bottom: 12px; }
  label { display: flex; flex-direction: column; gap: 4px; font-size: 12px; color: #646a73; }
  select, input, button { font: inherit; padding: 6px 10px; border: 1px solid #d0d3d6; border-radius: 6px; background: #fff; }
  button { cursor: pointer; }
  button.primary { background: var(--wss-primary, #3370ff); border-color: var(--wss-primary, #3370ff); color: #fff; }
  button:disabled { opacity: 0.5; cursor: not-allowed; }
  :focus-visible { outline: 2px solid var(--wss-primary, #3370ff); outline-offset: 1px; }
  table { width: 100%; border-collapse: collapse; background: #fff; }
  th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid #eef0f2; }
  th { background: #f7f8fa; font-weight: 600; font-size: 13px; }
  .tag { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; }
  .tag.ok { background: #e8f7ee; color: #1a7f37; }
  .tag.off { background: #f2f3f5; color: #646a73; }
  .tag.warn { background: #fff4e5; color: #b35900; }
  .muted { color: #8f959e; }
  .error { color: #d83931; }
  .pager { display: flex; gap: 12px; align-items: center; justify-content: flex-end; margin-top: 12px; }
  .scroll { overflow-x: auto; max-width: 100%; }
  .notice { padding: 8px 12px; border-radius: 6px; margin: 8px 0; }
  .notice.success { background: #e8f7ee; color: #1a7f37; }
  .notice.failure { background: #fff1f0; color: #d83931; }
  .empty { padding: 24px 8px; text-align: center; color: #8f959e; }
  /* On a phone (the WeCom workbench) a table.cards becomes one card per row, labelled by data-label. */
  @media (max-width: 600px) {
    table.cards thead { display: none; }
    table.cards, table.cards tbody, table.cards tr, table.cards td { display: block; width: 100%; box-sizing: border-box; }
    table.cards { background: none; }
    table.cards tr { background: #fff; border: 1px solid #e5e6eb; border-radius: 8px; margin-bottom: 8px; padding: 6px 0; }
    table.cards td { border: none; padding: 3px 12px; overflow-wrap: anywhere; }
    table.cards td[data-label]::before { content: attr(data-label) '：'; color: #8f959e; }
    table.cards td.actions { display: flex; flex-wrap: wrap; gap: 8px; padding-top: 6px; }
    table.cards td.actions button, .pager button { min-height: 36px; min-width: 64px; }
    .toolbar > label { flex: 1 1 140px; }
    .toolbar select, .toolbar input { width: 100%; box-sizing: border-box; min-height: 36px; }
  }
`;
