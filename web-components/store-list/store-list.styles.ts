import { css } from 'lit';

export const storeListStyles = css`
  tbody tr { cursor: pointer; }
  tbody tr:hover { background: #f5f8ff; }
`;
