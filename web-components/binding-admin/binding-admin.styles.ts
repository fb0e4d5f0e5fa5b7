import { css } from 'lit';

export const bindingAdminStyles = css`
  .actions { display: flex; gap: 6px; }
  .actions button { padding: 2px 8px; font-size: 13px; }
  .bulk { display: flex; gap: 8px; align-items: center; padding: 8px 12px; margin-bottom: 8px; background: #eef5ff; border-radius: 6px; }
  .reason { font-size: 12px; color: #8f959e; display: block; }
  dialog { border: none; border-radius: 10px; padding: 20px; min-width: 480px; max-width: 760px; box-shadow: 0 8px 30px rgba(0, 0, 0, 0.2); }
  dialog::backdrop { background: rgba(0, 0, 0, 0.3); }
  dialog.drawer { margin: 0 0 0 auto; height: 100vh; max-height: 100vh; border-radius: 0; width: min(640px, 90vw); }
  dialog h2 { margin: 0 0 12px; font-size: 18px; }
  .form { display: grid; gap: 12px; }
  .row-end { display: flex; gap: 8px; justify-content: flex-end; margin-top: 16px; }
  .check { min-height: 1.4em; font-size: 13px; }
  .check.ok { color: #1a7f37; }
  progress { width: 100%; height: 14px; }
  .report { max-height: 50vh; overflow: auto; margin-top: 12px; }
  .report td, .report th { padding: 4px 8px; font-size: 13px; }
  tr.bad td { background: #fff1f0; }
  ul.plain { list-style: none; padding: 0; margin: 0; }
  ul.plain li { padding: 6px 0; border-bottom: 1px solid #eef0f2; }
  .warn { color: #b35900; }
  .ok { color: #1a7f37; }
  .returned { background: #fff4e5; border-radius: 6px; padding: 10px 12px; margin-bottom: 12px; display: grid; gap: 6px; }
  .returned button { justify-self: start; }
  .confirm-line span { display: flex; gap: 8px; align-items: flex-start; color: #b35900; font-size: 13px; }
  .report { display: grid; gap: 8px; margin: 0 0 12px; padding: 10px 12px; border-radius: 6px; background: #f7f8fa; }
  .report ul { margin: 0; padding-left: 18px; }
  .report li.shown { color: #1a7f37; }
  .report li.skipped { color: #d83931; }
  td.nowrap { white-space: nowrap; }
  .exports { display: flex; gap: 12px; align-self: center; }
  .exports a { color: var(--wss-primary, #3370ff); text-decoration: none; padding: 6px 0; }
  @media (max-width: 600px) {
    td.nowrap { white-space: normal; }
    table.cards td.select { position: absolute; width: auto; right: 4px; }
    table.cards tr { position: relative; }
  }
  @media (max-width: 520px) {
    dialog { min-width: 0; width: calc(100vw - 24px); box-sizing: border-box; padding: 16px; }
    .bulk { flex-wrap: wrap; }
  }
`;
