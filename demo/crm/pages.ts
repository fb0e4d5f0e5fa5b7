import type { DemoUser } from './actors.js';
import { DEMO_USERS } from './actors.js';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** One admin page of the demo CRM: a nav and the plugin elements the manifest places there. */
export interface DemoPage {
  path: string;
  title: string;
  body: (apiBase: string) => string;
  /** Customer-facing pages (the shop) need no sign-in. */
  public?: boolean;
}

/**
 * `badges`: counts shown beside a nav item (path → count), e.g. the stores waiting for HQ review
 * (the plugin's review summary); an element's `wss-reviews-change` event keeps it current.
 */
export function layout(opts: { title: string; user: DemoUser | null; pages: DemoPage[]; body: string; elementsUrl: string; badges?: Record<string, number> }): string {
  const badge = (path: string) =>
    opts.badges && path in opts.badges
      ? ` <span class="badge" data-testid="nav-count" data-path="${path}" aria-label="待审核 ${opts.badges[path]} 家"${opts.badges[path] ? '' : ' hidden'}>${opts.badges[path]}</span>`
      : '';
  const nav = opts.user
    ? `<nav aria-label="主导航">${opts.pages.map((p) => `<a href="${p.path}">${escapeHtml(p.title)}${badge(p.path)}</a>`).join('')}</nav>
       <div class="who">当前用户：<strong data-testid="current-user">${escapeHtml(opts.user.name)}</strong>
       <a href="/">切换身份</a></div>`
    : '';
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(opts.title)} · 示例 CRM</title>
<style>
  body{margin:0;font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f5f6f8;color:#1f2329}
  header{display:flex;align-items:center;gap:24px;padding:12px 24px;background:#1f2d3d;color:#fff}
  header h1{font-size:18px;margin:0} header a{color:#cfe3ff;margin-right:16px;text-decoration:none}
  header .who{margin-left:auto;font-size:14px} main{padding:24px}
  .card{background:#fff;border-radius:8px;padding:20px;box-shadow:0 1px 3px rgba(0,0,0,.08);max-width:720px}
  .users a{display:block;padding:10px 12px;margin:6px 0;border:1px solid #d0d7de;border-radius:6px;color:#1f2329;text-decoration:none}
  .users a:hover{background:#eef5ff}
  header nav{display:flex;flex-wrap:wrap;gap:4px 0}
  .badge{display:inline-block;min-width:18px;padding:0 6px;border-radius:9px;background:#f54a45;color:#fff;font-size:12px;text-align:center}
  @media (max-width:600px){header{flex-wrap:wrap;gap:8px;padding:10px 12px} header .who{margin-left:0} main{padding:12px}}
</style>
<script type="module" src="${opts.elementsUrl}"></script>
</head><body>
<header><h1>示例 CRM · 门店企微专属客服</h1>${nav}</header>
<main>${opts.body}</main>
<script>
  document.addEventListener('wss-reviews-change', (e) => {
    const badge = document.querySelector('[data-testid="nav-count"][data-path="/admin/reviews"]');
    if (!badge) return;
    badge.textContent = String(e.detail.pending);
    badge.hidden = !e.detail.pending;
  });
</script>
</body></html>`;
}

export function signInBody(): string {
  return `<div class="card"><h2>选择登录身份</h2><p>演示用：以不同角色登录，查看权限与分公司范围。</p>
  <div class="users">${DEMO_USERS.map(
    (u) => `<a href="/sign-in?as=${encodeURIComponent(u.key)}" data-user="${u.key}">${escapeHtml(u.name)}</a>`,
  ).join('')}</div></div>`;
}
