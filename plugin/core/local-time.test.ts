import { describe, expect, it } from 'vitest';
import { attachmentHeader, formatLocalDateTime } from './local-time.js';

describe('formatLocalDateTime', () => {
  it('writes the wall-clock time of the configured zone', () => {
    expect(formatLocalDateTime('2026-12-02T04:43:06.660Z', 'Asia/Shanghai')).toBe('2026-12-02 12:43');
    expect(formatLocalDateTime(new Date('2026-12-01T16:00:00Z'), 'Asia/Shanghai', { seconds: true })).toBe('2026-12-02 00:00:00');
    expect(formatLocalDateTime('2026-12-02T04:43:06Z', 'Europe/London')).toBe('2026-12-02 04:43');
  });
  it('leaves missing or broken values empty', () => {
    expect(formatLocalDateTime(null, 'Asia/Shanghai')).toBe('');
    expect(formatLocalDateTime('not a date', 'Asia/Shanghai')).toBe('');
  });
});

describe('attachmentHeader', () => {
  it('names the file in Chinese with an ASCII fallback', () => {
    expect(attachmentHeader('门店绑定_2026-12-02', 'bindings-2026-12-02', 'xlsx')).toBe(
      `attachment; filename="bindings-2026-12-02.xlsx"; filename*=UTF-8''${encodeURIComponent('门店绑定_2026-12-02')}.xlsx`,
    );
  });
});
