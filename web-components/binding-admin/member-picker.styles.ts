import { css } from 'lit';

export const memberPickerStyles = css`
  :host { position: relative; }
  input { width: 100%; box-sizing: border-box; }
  ul[role='listbox'] { position: absolute; z-index: 10; left: 0; right: 0; margin: 4px 0 0; padding: 4px 0; list-style: none; background: #fff;
    border: 1px solid #d0d3d6; border-radius: 6px; box-shadow: 0 6px 20px rgba(0, 0, 0, 0.12); max-height: 300px; overflow: auto; }
  li { padding: 8px 12px; cursor: pointer; display: flex; flex-direction: column; gap: 2px; }
  li.active, li:hover { background: #eef5ff; }
  .meta { display: flex; flex-wrap: wrap; gap: 8px; font-size: 12px; align-items: center; }
`;
