import { css } from 'lit';

export const handoverQueueStyles = css`
  .tabs { display: flex; gap: 4px; margin-bottom: 12px; border-bottom: 1px solid #e5e6eb; flex-wrap: wrap; }
  .tabs button { border: none; border-bottom: 2px solid transparent; border-radius: 0; background: none; padding: 8px 12px; }
  .tabs button.on { border-bottom-color: var(--wss-primary, #3370ff); color: var(--wss-primary, #3370ff); font-weight: 600; }
  .list { display: grid; gap: 12px; }
  article { background: #fff; border: 1px solid #e5e6eb; border-radius: 8px; padding: 12px 14px; }
  article header { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
  article h3 { margin: 0; font-size: 16px; }
  article p { margin: 6px 0; }
  .progress { height: 8px; background: #f2f3f5; border-radius: 4px; overflow: hidden; margin: 8px 0 4px; }
  .progress span { display: block; height: 100%; background: var(--wss-primary, #3370ff); }
  .chips { display: flex; flex-wrap: wrap; gap: 6px; font-size: 12px; }
  .chips .tag { background: #f2f3f5; }
  .chips .tag.bad { background: #fdecea; color: #b3261e; }
  .actions { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; margin-top: 8px; }
  .actions label { flex: 1 1 220px; }
  button.danger { background: #fff; border-color: #d83931; color: #d83931; }
  table.customers { margin-top: 8px; font-size: 13px; }
  .empty { padding: 24px 0; text-align: center; }
  @media (max-width: 520px) {
    table.customers th:nth-child(2), table.customers td:nth-child(2) { display: none; }
  }
`;
