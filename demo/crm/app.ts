import Koa from 'koa';
import Router from '@koa/router';
import type { WecomStoreService } from '../../plugin/index.js';
import { ACTOR_COOKIE } from './host-adapter.js';
import { DEMO_USERS, actorFor, type DemoUser } from './actors.js';
import { layout, signInBody, type DemoPage } from './pages.js';

/** Admin pages of the demo CRM; each later feature adds its element here. */
export function demoPages(): DemoPage[] {
  return [
    {
      path: '/admin/stores',
      title: '门店企微绑定',
      body: (apiBase) => `<wss-binding-admin api-base="${apiBase}"></wss-binding-admin>`,
    },
    {
      path: '/admin/reviews',
      title: '待审核',
      body: (apiBase) => `<wss-review-queue api-base="${apiBase}"></wss-review-queue>`,
    },
    {
      path: '/admin/operation-log',
      title: '操作日志',
      body: (apiBase) => `<wss-operation-log api-base="${apiBase}"></wss-operation-log>`,
    },
    {
      path: '/admin/handovers',
      title: '客户继承',
      body: (apiBase) => `<wss-handover-queue api-base="${apiBase}"></wss-handover-queue>`,
    },
    {
      // The shop's order-result page (customer side): ?store=S1001&order=…&client=h5
      path: '/shop/order-result',
      title: '下单结果页（顾客）',
      public: true,
      body: (apiBase) => `<div class="card"><h2>支付成功</h2><p data-testid="order-line">订单已提交，门店将尽快为您备货。</p>
        <wss-store-entry api-base="${apiBase}" client-type="h5"></wss-store-entry></div>
        <script type="module">
          const q = new URLSearchParams(location.search);
          const entry = document.querySelector('wss-store-entry');
          entry.orderId = q.get('order') || 'DEMO-' + Date.now();
          if (q.get('visitor')) entry.visitorId = q.get('visitor');
          if (q.get('client')) entry.clientType = q.get('client');
          entry.storeId = q.get('store') || 'S1001';
        </script>`,
    },
    {
      path: '/admin/stats',
      title: '数据统计',
      body: (apiBase) => `<wss-stats-dashboard api-base="${apiBase}"></wss-stats-dashboard>`,
    },
    {
      path: '/admin/capacity',
      title: '账号容量与预警',
      body: (apiBase) => `<wss-capacity-panel api-base="${apiBase}"></wss-capacity-panel>`,
    },
  ];
}

/** The demo host CRM: a sign-in switch, admin pages, and the plugin mounted under its prefix. */
export function createDemoApp(service: WecomStoreService): Koa {
  const app = new Koa();
  const router = new Router();
  const apiBase = service.config.routesPrefix;
  const elementsUrl = `${apiBase}${service.manifest.assets.elements}`;
  const pages = demoPages();
  const currentUser = (ctx: Koa.Context) => DEMO_USERS.find((u) => u.key === ctx.cookies.get(ACTOR_COOKIE)) ?? null;
  // The host shows the plugin's count of stores waiting for review beside its nav item.
  const badges = async (user: DemoUser | null) =>
    user ? { '/admin/reviews': (await service.services.entryVisibility.reviewSummary(actorFor(user, service.manifest))).pending } : undefined;

  router.get('/', (ctx) => {
    ctx.type = 'html';
    ctx.body = layout({ title: '登录', user: currentUser(ctx), pages, body: signInBody(), elementsUrl });
  });
  router.get('/sign-in', (ctx) => {
    const user = DEMO_USERS.find((u) => u.key === ctx.query.as);
    if (!user) {
      ctx.redirect('/');
      return;
    }
    ctx.cookies.set(ACTOR_COOKIE, user.key, { httpOnly: true, sameSite: 'lax' });
    ctx.redirect(pages[0].path);
  });
  router.get('/sign-out', (ctx) => {
    ctx.cookies.set(ACTOR_COOKIE, null);
    ctx.redirect('/');
  });
  for (const page of pages) {
    router.get(page.path, async (ctx) => {
      const user = currentUser(ctx);
      if (!user && !page.public) {
        ctx.redirect('/');
        return;
      }
      ctx.type = 'html';
      ctx.body = layout({ title: page.title, user, pages, body: page.body(apiBase), elementsUrl, badges: await badges(user) });
    });
  }

  app.use(service.middleware);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
