import { describe, expect, it } from 'vitest';
import { DomainError } from '../core/errors.js';
import { assessFill, capacityRefusal } from './capacity-check.js';

const levels = { warning: 70, hard: 95 };
const account = { userid: 'kf_1', name: '张三' };

describe('assessFill', () => {
  it('puts the account below, at or over each level', () => {
    expect(assessFill(3499, 5000, levels).level).toBe('ok');
    expect(assessFill(3500, 5000, levels).level).toBe('warning');
    expect(assessFill(4749, 5000, levels).level).toBe('warning');
    expect(assessFill(4750, 5000, levels).level).toBe('full');
    expect(assessFill(6000, 5000, levels)).toMatchObject({ level: 'full', percent: 120 });
  });

  it('keeps one decimal of the fill, floored (never shows 95 % for 94.99 %)', () => {
    expect(assessFill(4749, 5000, levels).percent).toBe(94.9);
    expect(assessFill(1, 3, levels).percent).toBe(33.3);
  });
});

describe('capacityRefusal', () => {
  it('refuses a full account even when confirmed, with the real figures', () => {
    const error = capacityRefusal(account, assessFill(4790, 5000, levels), true)!;
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe('account_capacity_full');
    expect(error.message).toBe('企微账号 张三(kf_1) 已有 4,790 位客户（容量 5,000，已用 95%），达到 95% 上限，不能绑定；请换一个账号，或先扩容');
    expect(error.details).toMatchObject({ userid: 'kf_1', count: 4790, limit: 5000, level: 'full' });
  });

  it('asks for a confirmation at the warning level, and accepts it', () => {
    expect(capacityRefusal(account, assessFill(3620, 5000, levels), false)?.code).toBe('capacity_confirmation_required');
    expect(capacityRefusal(account, assessFill(3620, 5000, levels), true)).toBeNull();
    expect(capacityRefusal(account, assessFill(100, 5000, levels), false)).toBeNull();
  });
});
