import { css } from 'lit';

export const storeEntryStyles = css`
  :host { display: block; }
  :host([hidden]) { display: none; }
  button.entry {
    display: flex; align-items: center; justify-content: space-between; width: 100%;
    padding: 14px 16px; border: 1px solid #e5e6eb; border-radius: 10px; background: #fff;
    font: inherit; font-size: 15px; color: var(--wss-text, #1f2329); cursor: pointer;
  }
  button.entry:hover { background: #f5f8ff; }
  .icon { display: inline-flex; width: 28px; height: 28px; margin-right: 10px; border-radius: 50%;
    background: var(--wss-primary, #07c160); color: #fff; align-items: center; justify-content: center; font-size: 14px; }
  .label { flex: 1; text-align: left; }
  .arrow { color: #8f959e; }
`;
