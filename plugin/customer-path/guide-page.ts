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
