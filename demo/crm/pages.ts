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

export function layout(opts: { title: string; user: DemoUser | null; pages: DemoPage[]; body: string; elementsUrl: string }): string {
  const nav = opts.user
    ? `<nav aria-label="主导航">${opts.pages.map((p) => `<a href="${p.path}">${escapeHtml(p.title)}</a>`).join('')}</nav>
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
</style>
<script type="module" src="${opts.elementsUrl}"></script>
</head><body>
<header><h1>示例 CRM · 门店企微专属客服</h1>${nav}</header>
<main>${opts.body}</main>
</body></html>`;
}

export function signInBody(): string {
  return `<div class="card"><h2>选择登录身份</h2><p>演示用：以不同角色登录，查看权限与分公司范围。</p>
  <div class="users">${DEMO_USERS.map(
    (u) => `<a href="/sign-in?as=${encodeURIComponent(u.key)}" data-user="${u.key}">${escapeHtml(u.name)}</a>`,
  ).join('')}</div></div>`;
}
