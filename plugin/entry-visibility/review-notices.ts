/**
 * Texts of the review workflow's robot messages (zh-CN, plain text). Every robot takes at least
 * 2,048 bytes of text (WeCom's limit); lists are cut with "等 N 家" well before that.
 */
const MAX_BYTES = 1800;

/** Joins `head` and as many list lines as fit, then says how many were left out. */
function fitLines(head: string[], lines: string[], tail: string[], more: (n: number) => string, notListed = 0): string {
  const out = [...head];
  const size = () => Buffer.byteLength([...out, ...tail].join('\n'));
  let i = 0;
  for (; i < lines.length; i++) {
    out.push(lines[i]);
    if (size() > MAX_BYTES - 40) {
      out.pop();
      break;
    }
  }
  if (i < lines.length || notListed > 0) out.push(more(lines.length - i + notListed));
  return [...out, ...tail].join('\n');
}

export interface DigestBranch {
  branchName: string;
  submitted: number;
  pending: number;
}

/** HQ: what branches submitted since the last digest, and what waits in the queue. */
export function hqDigestText(input: { submitted: number; pending: number; branches: DigestBranch[]; link?: string }): string {
  const head = [`【门店绑定待审核】新提交 ${input.submitted} 家门店，当前待审核共 ${input.pending} 家：`];
  const lines = input.branches.map((b) => `· ${b.branchName}：新提交 ${b.submitted} 家，待审核 ${b.pending} 家`);
  const tail = input.link ? [`前往审核：${input.link}`] : ['请在“待审核”页面处理。'];
  return fitLines(head, lines, tail, (n) => `…等 ${n} 个分公司`);
}

export interface DecidedStore {
  storeId: string;
  storeName: string;
  outcome: 'approved' | 'rejected';
  shown: boolean;
  reason: string | null;
}

/** A branch: what HQ decided about its stores in one go. */
export function decisionText(branchName: string, stores: DecidedStore[]): string {
  const approved = stores.filter((s) => s.outcome === 'approved');
  const rejected = stores.filter((s) => s.outcome === 'rejected');
  const counts = [approved.length ? `通过 ${approved.length} 家` : '', rejected.length ? `退回 ${rejected.length} 家` : ''].filter(Boolean).join('，');
  const head = [`【门店绑定审核结果】${branchName}：${counts}。`];
  const lines = [
    ...rejected.map((s) => `退回：${s.storeId} ${s.storeName}（原因：${s.reason ?? '未填写'}），请修改绑定后重新提交`),
    ...approved.map((s) => `通过：${s.storeId} ${s.storeName}${s.shown ? '，入口已展示' : '，入口暂不展示'}`),
  ];
  return fitLines(head, lines, [], (n) => `…等 ${n} 家门店`);
}

export interface RolloutFigures {
  branchName: string;
  day: string;
  openStores: number;
  boundStores: number;
  shownStores: number;
  pendingReviews: number;
  returnedStores: number;
  /** The first unbound open stores (the list may be cut; the count is boundStores vs openStores). */
  unbound: { storeId: string; storeName: string }[];
}

/** A branch's rollout progress (the scheduled digest). */
export function rolloutText(f: RolloutFigures): string {
  const rate = f.openStores ? Math.round((f.boundStores * 1000) / f.openStores) / 10 : 0;
  const head = [
    `【门店企微上线进度】${f.branchName}（${f.day}）`,
    `已绑定 ${f.boundStores}/${f.openStores} 家营业门店（${rate}%），已展示入口 ${f.shownStores} 家，待审核 ${f.pendingReviews} 家，被退回 ${f.returnedStores} 家。`,
  ];
  const unboundTotal = f.openStores - f.boundStores;
  if (unboundTotal <= 0) return [...head, '营业门店已全部绑定。'].join('\n');
  const lines = f.unbound.map((s) => `· ${s.storeId} ${s.storeName}`);
  return fitLines([...head, `尚未绑定（${unboundTotal} 家）：`], lines, [], (n) => `…等 ${n} 家`, Math.max(0, unboundTotal - lines.length));
}
