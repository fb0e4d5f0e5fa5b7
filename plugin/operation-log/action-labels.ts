/**
 * The operation log in people's words (zh-CN): a name for every audited action and a one-line
 * description of what changed. Shared by the list and the exports, so both say the same.
 */
export const ACTION_LABELS: Record<string, string> = {
  'binding.bind': '绑定主账号',
  'binding.add_backup': '添加备用账号',
  'binding.promote': '升为主账号',
  'binding.rebind': '更换主账号',
  'binding.replace': '替换已满账号',
  'binding.unbind': '解绑账号',
  'entry.show': '展示入口',
  'entry.hide': '隐藏入口',
  'entry.auto_hide': '入口自动隐藏',
  'live_code.route': '活码转向',
  'account.sharing': '账号共享设置',
  'capacity.limit.update': '修改容量上限',
  'review.approve': '审核通过',
  'review.reject': '审核退回',
  'review.resubmit': '重新提交审核',
  'capacity.enterprise_scale.update': '修改企业客户规模',
  'handover.propose': '提议转接客户',
  'handover.approve': '批准转接客户',
  'handover.dismiss': '不转接客户',
  'handover.complete': '客户转接完成',
};

export const actionLabel = (action: string) => ACTION_LABELS[action] ?? '其他操作';

interface View {
  primary?: string | null;
  backups?: string[];
  retired?: string[];
}

type Names = Map<string, string>;
const who = (names: Names, userid: string) => (names.get(userid) ? `${names.get(userid)}(${userid})` : userid);

/** "主账号 A → B；备用 +C −D；退役 +E" (only what changed). */
export function describeBindingChange(before: View | null | undefined, after: View | null | undefined, names: Names): string {
  const b = before ?? {};
  const a = after ?? {};
  const parts: string[] = [];
  if ((b.primary ?? null) !== (a.primary ?? null)) {
    parts.push(`主账号 ${b.primary ? who(names, b.primary) : '无'} → ${a.primary ? who(names, a.primary) : '无'}`);
  }
  for (const [key, label] of [['backups', '备用'], ['retired', '退役']] as const) {
    const was = new Set(b[key] ?? []);
    const now = new Set(a[key] ?? []);
    const added = [...now].filter((u) => !was.has(u)).map((u) => `+${who(names, u)}`);
    const removed = [...was].filter((u) => !now.has(u)).map((u) => `−${who(names, u)}`);
    if (added.length || removed.length) parts.push(`${label} ${[...added, ...removed].join(' ')}`);
  }
  return parts.join('；') || '绑定未变化';
}

const visibleText = (v: unknown) => (v ? '已展示' : '已隐藏');

/** What one audit row changed, in a line. */
export function describeChange(action: string, before: unknown, after: unknown, names: Names): string {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  if (action.startsWith('binding.')) return describeBindingChange(b as View, a as View, names);
  if (action.startsWith('entry.')) return `入口 ${visibleText(b.visible)} → ${visibleText(a.visible)}`;
  if (action === 'review.approve') return `${describeBindingChange(b.binding as View, a.binding as View, names)}；${a.shown === false ? '入口暂不展示' : '入口已展示'}`;
  if (action === 'review.reject') return describeBindingChange(b.binding as View, a.binding as View, names);
  if (action === 'review.resubmit') return '按原绑定重新提交审核';
  if (action === 'live_code.route') {
    const to = (a.accountUserids as string[] | undefined)?.[0];
    return to ? `新客户转至 ${who(names, to)}` : '活码已停用';
  }
  if (action === 'account.sharing') return `允许一个账号服务多家门店：${b.sharingAllowed ? '是' : '否'} → ${a.sharingAllowed ? '是' : '否'}`;
  if (action === 'capacity.limit.update') return `容量上限 ${String(b.limit ?? '—')} → ${String(a.limit ?? '—')}`;
  if (action === 'capacity.enterprise_scale.update') return `已购买的客户规模 ${String(b.scale ?? '未设置')} → ${String(a.scale ?? '未设置')}`;
  if (action.startsWith('handover.')) return describeHandover(action, a, names);
  return '';
}

const HANDOVER_STATE_LABELS: Record<string, string> = {
  done: '已转接', refused: '客户拒绝', taker_full: '接替账号已满', no_record: '无转接记录', not_customer: '已非原账号客户', too_frequent: '90天内转接过两次', no_room: '接替账号容量不足', failed: '失败',
};

function describeHandover(action: string, a: Record<string, unknown>, names: Names): string {
  if (action === 'handover.propose') {
    const reason = a.reason === 'member_left' ? '成员已离职' : '账号已被替换';
    return `${reason}：${who(names, String(a.handover))} 的 ${String(a.customers ?? 0)} 位客户待转接`;
  }
  if (action === 'handover.approve') return `接替账号 ${((a.takers as string[] | undefined) ?? []).map((u) => who(names, u)).join('、')}`;
  if (action === 'handover.dismiss') return '客户留在原账号';
  const counts = (a.counts ?? {}) as Record<string, number>;
  return Object.entries(counts).map(([state, n]) => `${HANDOVER_STATE_LABELS[state] ?? state} ${n}`).join('，');
}

/** Every userid an audit row mentions (to name the accounts). */
export function useridsOf(before: unknown, after: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (typeof o.primary === 'string') out.push(o.primary);
    if (typeof o.handover === 'string') out.push(o.handover);
    for (const key of ['backups', 'retired', 'accountUserids', 'takers']) if (Array.isArray(o[key])) out.push(...(o[key] as string[]));
    if (o.binding) walk(o.binding);
  };
  walk(before);
  walk(after);
  return out;
}
