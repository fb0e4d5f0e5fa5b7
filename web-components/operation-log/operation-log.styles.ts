import { css } from 'lit';

export const operationLogStyles = css`
  .grow { flex: 1; }
  .toolbar a { align-self: center; color: var(--wss-primary, #3370ff); text-decoration: none; }
  .scroll { overflow-x: auto; }
  td[data-col='change'] { min-width: 200px; }
  @media (max-width: 600px) {
    thead { display: none; }
    table, tbody, tr, td { display: block; width: 100%; box-sizing: border-box; }
    tr { border-bottom: 1px solid #e5e6eb; padding: 6px 0; }
    td { border: none; padding: 2px 8px; }
    td::before { content: attr(data-label) '：'; color: #8f959e; }
    .toolbar label { flex: 1 1 140px; }
  }
`;
