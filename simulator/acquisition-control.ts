/**
 * Control API and customer pages for acquisition links and welcome codes:
 * `/sim/ca/:linkId?customer_channel=` (what the link opens), `/sim/acquisition/…` (JSON).
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { quotaBalance, quotaChanged } from './acquisition.js';
import type { SimContext } from './context.js';
import { SimActionError } from './customers.js';
import { num, readJsonBody, str } from './http-utils.js';

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const ACQUISITION_EVENTS = new Set(['balance_low', 'balance_exhausted', 'balance_increased', 'quota_expire_soon', 'link_unavailable', 'delete_link']);

export function createAcquisitionControlRouter(sim: SimContext) {
  const router = new Router();
  const { state, acquisition } = sim;
  const json = async (ctx: Context) => (await readJsonBody(ctx)) ?? {};

  router.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (!(error instanceof SimActionError)) throw error;
      ctx.status = error.status;
      if (ctx.path.startsWith('/sim/ca/')) {
        ctx.type = 'html';
        ctx.body = page('链接不可用', `<h1>${escapeHtml(error.message)}</h1>`);
      } else ctx.body = { error: error.code, message: error.message };
    }
  });

  /** The member's profile as the link opens it, inside or outside WeChat. */
  router.get('/sim/ca/:linkId', (ctx) => {
    const channel = typeof ctx.query.customer_channel === 'string' ? ctx.query.customer_channel : undefined;
    const link = acquisition.open(ctx.params.linkId, { customerChannel: channel, visitor: typeof ctx.query.visitor === 'string' ? ctx.query.visitor : undefined });
    const names = link.user_list.map((id) => state.members.get(id)?.name ?? id).join('、');
    ctx.type = 'html';
    ctx.body = page('添加企业微信', `<h1>${escapeHtml(names)}</h1><p>${escapeHtml(link.link_name)}</p>
${channel ? `<p>渠道 customer_channel=<code>${escapeHtml(channel)}</code></p>` : ''}
<button id="add" data-link="${escapeHtml(link.link_id)}" data-channel="${escapeHtml(channel ?? '')}">添加到通讯录</button><pre id="out"></pre>
<script>document.getElementById('add').onclick=async function(){const r=await fetch('/sim/acquisition/add',{method:'POST',headers:{'content-type':'application/json'},
body:JSON.stringify({linkId:this.dataset.link,customerChannel:this.dataset.channel||undefined})});document.getElementById('out').textContent=JSON.stringify(await r.json(),null,2);
if(r.ok){this.disabled=true;this.textContent='已添加';}}</script>`);
  });

  router.get('/sim/acquisition', (ctx) => {
    ctx.body = {
      links: [...state.acquisitionLinks.values()],
      customers: state.acquisitionCustomers,
      clicks: state.acquisitionClicks,
      quota: { balance: quotaBalance(state), packages: state.quotaPackages },
    };
  });
  /** The customer adds the member through the link (the profile's add button). */
  router.post('/sim/acquisition/add', async (ctx) => {
    const body = await json(ctx);
    const linkId = str(body.linkId);
    if (!linkId) throw new SimActionError(400, 'missing_link', 'linkId is required');
    const result = acquisition.add({ linkId, customerChannel: str(body.customerChannel), externalUserId: str(body.externalUserId), name: str(body.name), userid: str(body.userid) });
    if (body.wait === 'delivered') await result.callback.delivered;
    else if (body.wait !== 'none') await result.callback.firstAttempt;
    ctx.body = { userid: result.relation.userid, external_userid: result.relation.external_userid, state: result.relation.state ?? null, welcome_code: result.welcomeCode };
  });
  /** Sets the purchased packages: `[{ amount, balance?, expireInDays | expire_date }]`. */
  router.put('/sim/acquisition/quota', async (ctx) => {
    const body = await json(ctx);
    const packages = Array.isArray(body.packages) ? (body.packages as Record<string, unknown>[]) : [];
    const now = Math.floor(Date.now() / 1000);
    state.quotaPackages = packages.map((p) => {
      const amount = num(p.amount);
      if (amount === undefined || amount < 0) throw new SimActionError(400, 'bad_package', 'amount must be a non-negative number');
      const expire = num(p.expire_date) ?? now + Math.round((num(p.expireInDays) ?? 365) * 86_400);
      return { amount, balance: num(p.balance) ?? amount, expire_date: expire };
    });
    quotaChanged(state);
    ctx.body = { balance: quotaBalance(state), packages: state.quotaPackages };
  });
  /** Raises a customer_acquisition event; link_unavailable marks the link unusable as WeCom would. */
  router.post('/sim/acquisition/events', async (ctx) => {
    const body = await json(ctx);
    const changeType = str(body.changeType);
    if (!changeType || !ACQUISITION_EVENTS.has(changeType)) throw new SimActionError(400, 'bad_event', `changeType must be one of ${[...ACQUISITION_EVENTS].join(', ')}`);
    const linkId = str(body.linkId);
    if (changeType === 'link_unavailable' || changeType === 'delete_link') {
      const link = linkId ? state.acquisitionLinks.get(linkId) : undefined;
      if (!link) throw new SimActionError(404, 'unknown_link', 'no such link');
      if (changeType === 'link_unavailable') link.unavailable = true;
      else state.acquisitionLinks.delete(link.link_id);
    }
    acquisition.raise(changeType, linkId);
    ctx.body = { ok: true };
  });
  /** Another app of the enterprise takes a welcome code: `sending` (41096 for a while) or `consumed`. */
  router.post('/sim/welcome-codes/:code/other-app', async (ctx) => {
    const welcome = state.welcomeCodes.get(ctx.params.code);
    if (!welcome) throw new SimActionError(404, 'unknown_code', 'no such welcome code');
    const body = await json(ctx);
    if (body.mode === 'consumed') {
      welcome.used = true;
      welcome.sent = { text: 'other app', by: 'other_app' };
    } else welcome.otherAppSendingUntil = Date.now() + (num(body.forMs) ?? 1000);
    ctx.body = { ok: true };
  });
  router.get('/sim/welcome-codes', (ctx) => {
    ctx.body = { codes: [...state.welcomeCodes.values()] };
  });

  return router;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:480px;margin:1.5rem auto;padding:0 1rem;text-align:center}
button{padding:.6rem 1.4rem;font-size:1rem}pre{text-align:left;background:#f5f5f5;padding:.5rem;white-space:pre-wrap}</style></head><body>${body}</body></html>`;
}
