import Koa from 'koa';
import Router from '@koa/router';
import type { WecomStoreService } from '../../plugin/index.js';
import { ACTOR_COOKIE } from './host-adapter.js';
import { DEMO_USERS } from './actors.js';
import { layout, signInBody, type DemoPage } from './pages.js';

/** Admin pages of the demo CRM; each later feature adds its element here. */
export function demoPages(): DemoPage[] {
  return [
    {
      path: '/admin/stores',
      title: '门店企微绑定',
      body: (apiBase) => `<wss-store-list api-base="${apiBase}"></wss-store-list>`,
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
    router.get(page.path, (ctx) => {
      const user = currentUser(ctx);
      if (!user) {
        ctx.redirect('/');
        return;
      }
      ctx.type = 'html';
      ctx.body = layout({ title: page.title, user, pages, body: page.body(apiBase), elementsUrl });
    });
  }

  app.use(service.middleware);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
