import { css } from 'lit';

export const confirmDialogStyles = css`
  dialog { border: none; border-radius: 10px; padding: 20px; width: min(440px, calc(100vw - 32px)); box-sizing: border-box; box-shadow: 0 8px 30px rgba(0, 0, 0, 0.2); }
  dialog::backdrop { background: rgba(0, 0, 0, 0.3); }
  h2 { margin: 0 0 12px; font-size: 18px; }
  p { line-height: 1.6; }
  ul { padding-left: 20px; color: #646a73; }
  .row-end { display: flex; gap: 8px; justify-content: flex-end; margin-top: 16px; flex-wrap: wrap; }
  button.danger { background: #d83931; border-color: #d83931; color: #fff; }
`;
