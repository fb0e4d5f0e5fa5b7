import { css } from 'lit';

export const operationLogStyles = css`
  .grow { flex: 1; }
  .toolbar a { align-self: center; color: var(--wss-primary, #3370ff); text-decoration: none; }
  td[data-col='change'] { min-width: 200px; }
  @media (max-width: 600px) {
    td[data-col='change'] { min-width: 0; }
  }
`;
