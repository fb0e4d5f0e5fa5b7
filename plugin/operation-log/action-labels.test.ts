import { describe, expect, it } from 'vitest';
import { ACTION_LABELS, describeBindingChange, describeChange, useridsOf } from './action-labels.js';

const names = new Map([['kf_a', '张三'], ['kf_b', '李四']]);

describe('describeBindingChange', () => {
  it('names the accounts and says only what changed', () => {
    expect(describeBindingChange({ primary: null, backups: [] }, { primary: 'kf_a', backups: ['kf_b'] }, names)).toBe('主账号 无 → 张三(kf_a)；备用 +李四(kf_b)');
    expect(describeBindingChange({ primary: 'kf_a', retired: [] }, { primary: 'kf_c', retired: ['kf_a'] }, names)).toBe('主账号 张三(kf_a) → kf_c；退役 +张三(kf_a)');
    expect(describeBindingChange({ primary: 'kf_a', backups: ['kf_b'] }, { primary: 'kf_a', backups: [] }, names)).toBe('备用 −李四(kf_b)');
    expect(describeBindingChange({ primary: 'kf_a' }, { primary: 'kf_a' }, names)).toBe('绑定未变化');
  });
});

describe('describeChange', () => {
  it('describes entries, reviews, routing and limits', () => {
    expect(describeChange('entry.show', { visible: false }, { visible: true }, names)).toBe('入口 已隐藏 → 已展示');
    expect(describeChange('review.approve', { binding: { primary: null } }, { binding: { primary: 'kf_a' }, shown: false }, names)).toBe('主账号 无 → 张三(kf_a)；入口暂不展示');
    expect(describeChange('live_code.route', {}, { accountUserids: ['kf_b'] }, names)).toBe('新客户转至 李四(kf_b)');
    expect(describeChange('capacity.limit.update', { limit: 5000 }, { limit: 8000 }, names)).toBe('容量上限 5000 → 8000');
    expect(describeChange('handover.propose', null, { handover: 'kf_a', reason: 'member_left', customers: 12 }, names)).toBe('成员已离职：张三(kf_a) 的 12 位客户待转接');
    expect(describeChange('handover.approve', {}, { takers: ['kf_b', 'kf_c'] }, names)).toBe('接替账号 李四(kf_b)、kf_c');
    expect(describeChange('handover.complete', {}, { counts: { done: 10, refused: 2 } }, names)).toBe('已转接 10，客户拒绝 2');
  });

  it('has a label for every action the plugin audits and finds every account an entry mentions', () => {
    expect(Object.keys(ACTION_LABELS)).toHaveLength(20);
    expect(useridsOf({ binding: { primary: 'kf_a', backups: ['kf_b'] } }, { accountUserids: ['kf_c'] }).sort()).toEqual(['kf_a', 'kf_b', 'kf_c']);
  });
});
