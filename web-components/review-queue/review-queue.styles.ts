import { css } from 'lit';

export const reviewQueueStyles = css`
  .tabs { display: flex; gap: 4px; margin-bottom: 12px; border-bottom: 1px solid #e5e6eb; flex-wrap: wrap; }
  .tabs button { border: none; border-bottom: 2px solid transparent; border-radius: 0; background: none; padding: 8px 12px; }
  .tabs button.on { border-bottom-color: var(--wss-primary, #3370ff); color: var(--wss-primary, #3370ff); font-weight: 600; }
  .count { display: inline-block; min-width: 18px; padding: 0 6px; border-radius: 9px; background: #f54a45; color: #fff; font-size: 12px; text-align: center; }
  .bulk { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; padding: 8px 12px; margin-bottom: 8px; background: #eef5ff; border-radius: 6px; }
  label.inline { flex-direction: row; align-items: center; gap: 6px; color: inherit; font-size: 14px; }
  .list { display: grid; gap: 12px; }
  article.review { background: #fff; border: 1px solid #e5e6eb; border-radius: 8px; padding: 12px 14px; }
  article header { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
  article h3 { margin: 0; font-size: 16px; }
  article p { margin: 6px 0; }
  .tag { background: #f2f3f5; }
  table.diff { width: auto; min-width: min(100%, 420px); margin: 6px 0; }
  table.diff th, table.diff td { padding: 4px 8px; font-size: 13px; background: transparent; }
  table.diff tr.changed td.new { color: #1a7f37; font-weight: 600; }
  table.diff tr.changed td.old { color: #8f959e; text-decoration: line-through; }
  ul.accounts { list-style: none; padding: 0; margin: 6px 0; display: grid; gap: 4px; font-size: 13px; }
  ul.accounts li { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
  .warn { color: #b35900; }
  .ok { color: #1a7f37; }
  .reason { background: #fff4e5; padding: 6px 8px; border-radius: 6px; }
  .actions { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-top: 8px; }
  .results { padding: 10px 12px; margin-bottom: 12px; background: #f7f8fa; border-radius: 6px; }
  .results ul { margin: 0 0 8px; padding-left: 18px; }
  .results li.good { color: #1a7f37; }
  .results li.bad { color: #d83931; }
  dialog { border: none; border-radius: 10px; padding: 20px; width: min(480px, calc(100vw - 32px)); box-sizing: border-box; box-shadow: 0 8px 30px rgba(0, 0, 0, 0.2); }
  dialog::backdrop { background: rgba(0, 0, 0, 0.3); }
  dialog form { display: grid; gap: 12px; }
  dialog h2 { margin: 0; font-size: 18px; }
  textarea { font: inherit; padding: 6px 10px; border: 1px solid #d0d3d6; border-radius: 6px; }
  .row-end { display: flex; gap: 8px; justify-content: flex-end; flex-wrap: wrap; }
  button.danger { background: #d83931; border-color: #d83931; color: #fff; }
  .empty { padding: 24px 0; text-align: center; }
  @media (max-width: 520px) {
    table.diff th, table.diff td { padding: 4px; }
    .toolbar label { flex: 1 1 140px; }
  }
`;
