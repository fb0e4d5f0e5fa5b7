/** Small HTML pages to play the customer by hand: /sim/, /sim/add/:configId and /sim/robots. */
import Router from '@koa/router';
import type { SimContext } from './context.js';
import { relationsOf } from './state.js';

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:760px;margin:1.5rem auto;padding:0 1rem}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:.3rem .5rem;text-align:left}button{padding:.4rem 1rem;margin:.2rem}
pre{background:#f5f5f5;padding:.5rem;white-space:pre-wrap}</style></head><body>${body}
<script>async function call(path, body){const r=await fetch(path,{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify(body)});
const out=document.getElementById('out');const text=JSON.stringify(await r.json(),null,2);if(out)out.textContent=text;return r.ok;}</script></body></html>`;
}

export function createPagesRouter(sim: SimContext) {
  const router = new Router();
  const { state } = sim;

  router.get(['/sim', '/sim/'], (ctx) => {
    const members = [...state.members.values()]
      .map((m) => `<tr><td>${escapeHtml(m.userid)}</td><td>${escapeHtml(m.name)}</td><td>${m.status}</td><td>${relationsOf(state, m.userid).length}</td></tr>`)
      .join('');
    const options = [...state.members.keys()].map((id) => `<option>${escapeHtml(id)}</option>`).join('');
    const ways = [...state.contactWays.values()].map((w) => `<option value="${escapeHtml(w.config_id)}">${escapeHtml(w.config_id)} (${escapeHtml(w.state ?? '')})</option>`).join('');
    ctx.type = 'html';
    ctx.body = layout('WeCom 模拟器', `<h1>WeCom 模拟器 · ${escapeHtml(state.corpId)}</h1>
<table><tr><th>成员</th><th>姓名</th><th>状态</th><th>客户数</th></tr>${members}</table>
<h2>作为客户操作</h2>
<p><label>成员 <select id="member"><option value="">—</option>${options}</select></label>
<label>联系我 <select id="way"><option value="">—</option>${ways}</select></label></p>
<p><button id="add" onclick="call('/sim/customers/add',{userid:member.value||undefined,configId:way.value||undefined}).then(()=>location.reload())">添加</button></p>
<p><label>external_userid <input id="ext" size="34"></label>
<button onclick="call('/sim/customers/delete',{userid:member.value,externalUserId:ext.value,by:'member'})">成员删除客户</button>
<button onclick="call('/sim/customers/delete',{userid:member.value,externalUserId:ext.value,by:'customer'})">客户删除成员</button></p>
<p><label>客户数 <input id="count" type="number" min="0" value="0"></label>
<button onclick="call('/sim/customers/set-count',{userid:member.value,count:Number(count.value)}).then(()=>location.reload())">设置</button></p>
<p><a href="/sim/robots">群机器人消息</a> · <a href="/sim/callbacks">回调记录 (JSON)</a></p><pre id="out"></pre>`);
  });

  router.get('/sim/add/:configId', (ctx) => {
    const way = state.contactWays.get(ctx.params.configId);
    ctx.type = 'html';
    if (!way) {
      ctx.status = 404;
      ctx.body = layout('二维码已失效', '<h1>该二维码已失效</h1>');
      return;
    }
    const names = way.user.map((id) => state.members.get(id)?.name ?? id).join('、');
    ctx.body = layout('添加企业微信', `<h1>添加 ${escapeHtml(names)} 为联系人</h1>
<p>来自「联系我」${escapeHtml(way.config_id)}${way.state ? `，渠道 state=<code>${escapeHtml(way.state)}</code>` : ''}</p>
<button id="add" data-config-id="${escapeHtml(way.config_id)}" onclick="call('/sim/customers/add',{configId:this.dataset.configId}).then((ok)=>{this.disabled=ok;this.textContent=ok?'已添加':'添加'})">添加</button>
<pre id="out"></pre>`);
  });

  router.get('/sim/robots', (ctx) => {
    const rows = [...state.robotMessages].reverse()
      .map((m) => `<tr><td>${escapeHtml(m.at)}</td><td>${m.kind}</td><td>${escapeHtml(m.key.slice(0, 8))}…</td><td>${escapeHtml(m.msgtype)}</td><td><pre>${escapeHtml(m.content)}</pre></td></tr>`)
      .join('');
    ctx.type = 'html';
    ctx.body = layout('群机器人消息', `<h1>群机器人消息 (${state.robotMessages.length})</h1>
<table><tr><th>时间</th><th>平台</th><th>机器人</th><th>类型</th><th>内容</th></tr>${rows}</table>`);
  });

  return router;
}
