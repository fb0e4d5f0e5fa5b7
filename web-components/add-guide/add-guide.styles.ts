import { css } from 'lit';

export const addGuideStyles = css`
  .card { background: #fff; border-radius: 12px; padding: 20px; box-shadow: 0 1px 3px rgba(0, 0, 0, 0.06); text-align: center; }
  h2 { font-size: 18px; margin: 0 0 4px; }
  .account { color: #646a73; margin: 0 0 16px; }
  button.primary { width: 100%; padding: 12px; font-size: 16px; border-radius: 8px;
    background: var(--wss-primary, #07c160); border-color: var(--wss-primary, #07c160); }
  .fallback { margin-top: 16px; padding: 12px; border-radius: 8px; background: #fff7e8; color: #b35900; }
  .qr { margin-top: 16px; }
  .qr img { width: 200px; height: 200px; display: block; margin: 8px auto; -webkit-touch-callout: default; }
  .qr.emphasis img { width: 240px; height: 240px; }
  .hint { font-size: 13px; margin: 8px 0 0; }
  .or { color: #8f959e; font-size: 13px; margin: 16px 0 0; }
  .steps { text-align: left; color: #646a73; font-size: 13px; padding-left: 20px; }
  .done-title { color: #1a7f37; font-size: 18px; font-weight: 600; margin: 12px 0 4px; }
`;
