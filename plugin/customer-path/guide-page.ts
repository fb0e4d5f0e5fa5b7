const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The ready-made H5 guide page: the elements bundle and one `<wss-add-guide>`. */
export function guidePageHtml(opts: {
  apiBase: string;
  elementsUrl: string;
  storeId: string;
  visitorId?: string;
  orderId?: string;
  clientType?: string;
  lang?: string;
}): string {
  const attr = (name: string, value: string | undefined) => (value ? ` ${name}="${escapeHtml(value)}"` : '');
  return `<!doctype html>
<html lang="${opts.lang === 'en' ? 'en' : 'zh-CN'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
<title>${opts.lang === 'en' ? 'Add store service' : '添加门店专属客服'}</title>
<style>body{margin:0;background:#f5f6f8;font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif}
main{max-width:480px;margin:0 auto;padding:16px}</style>
<script type="module" src="${escapeHtml(opts.elementsUrl)}"></script>
</head><body><main>
<wss-add-guide${attr('api-base', opts.apiBase)}${attr('store-id', opts.storeId)}${attr('visitor-id', opts.visitorId)}${attr('order-id', opts.orderId)}${attr('client-type', opts.clientType)}></wss-add-guide>
</main></body></html>`;
}

/**
 * What a customer sees when the guide link is broken (missing or bad store id, tampered query): a
 * page in their language with a way back, never the JSON error the admin API answers.
 */
export function guideErrorHtml(lang?: string): string {
  const en = lang === 'en';
  const title = en ? 'This link does not work' : '链接无效';
  const text = en
    ? 'The link is incomplete or has expired. Please go back to your order and open “Add store service” again.'
    : '这个链接不完整或已失效，请返回订单页面，重新点击“添加门店专属客服”。';
  const back = en ? 'Back' : '返回上一页';
  return `<!doctype html>
<html lang="${en ? 'en' : 'zh-CN'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
<title>${title}</title>
<style>body{margin:0;background:#f5f6f8;font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#1f2329}
main{max-width:480px;margin:0 auto;padding:48px 24px;text-align:center}h1{font-size:20px;margin:0 0 12px}p{color:#646a73;line-height:1.6}
button{margin-top:16px;font:inherit;padding:10px 28px;border:1px solid #d0d3d6;border-radius:20px;background:#fff}</style>
</head><body><main data-testid="guide-error"><h1>${title}</h1><p>${text}</p>
<button type="button" onclick="history.back()">${back}</button></main></body></html>`;
}
