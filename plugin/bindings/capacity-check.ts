import { conflict, type DomainError } from '../core/errors.js';
import type { AccountFill } from '../contract/index.js';

/** The capacity levels a bind is judged by: the lowest warning threshold and the failover's hard level (percent). */
export interface CapacityLevels {
  warning: number;
  hard: number;
}

/** How full an account is, measured against the levels (pure). */
export function assessFill(count: number, limit: number, levels: CapacityLevels, countedAt: Date = new Date()): AccountFill {
  const exact = (count * 100) / limit;
  return {
    count,
    limit,
    percent: Math.floor(exact * 10) / 10,
    level: exact >= levels.hard ? 'full' : exact >= levels.warning ? 'warning' : 'ok',
    warningLevel: levels.warning,
    hardLevel: levels.hard,
    countedAt: countedAt.toISOString(),
  };
}

const n = (v: number) => v.toLocaleString('en-US');

/**
 * Whether a bind must stop: at or over the hard level always (409 `account_capacity_full`), at or
 * over the warning level unless the person confirmed (409 `capacity_confirmation_required`).
 */
export function capacityRefusal(account: { userid: string; name: string }, fill: AccountFill, confirmed: boolean): DomainError | null {
  const who = `企微账号 ${account.name || account.userid}(${account.userid})`;
  const details = { userid: account.userid, ...fill };
  if (fill.level === 'full') {
    return conflict(
      `${who} 已有 ${n(fill.count)} 位客户（容量 ${n(fill.limit)}，已用 ${Math.floor(fill.percent)}%），达到 ${fill.hardLevel}% 上限，不能绑定；请换一个账号，或先扩容`,
      'account_capacity_full',
      details,
    );
  }
  if (fill.level === 'warning' && !confirmed) {
    return conflict(
      `${who} 已有 ${n(fill.count)} 位客户（容量 ${n(fill.limit)}，已用 ${Math.floor(fill.percent)}%），超过 ${fill.warningLevel}% 预警线，请确认后再绑定`,
      'capacity_confirmation_required',
      details,
    );
  }
  return null;
}
