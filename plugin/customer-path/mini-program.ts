import axios from 'axios';
import type { Knex } from 'knex';
import type { Logger } from '../core/logger.js';
import type { CustomerPathConfig } from './customer-path.config.js';

type MiniProgramConfig = NonNullable<CustomerPathConfig['miniProgram']>;

/**
 * The mini-program link of the guide's "open WeChat" button (wecom-api.md §10).
 * plain: `weixin://dl/business/?appid=…&path=…&query=store=…&visit=…` (per visit, no API call).
 * encrypted: an openlink from /wxa/generatescheme, one per store, cached in memory and in
 * wss_mini_program_schemes until a day before it expires (the API is rate limited; per-visit
 * schemes would exhaust it), so its query carries the store only.
 */
export function createMiniProgramLinks(deps: { db: Knex; config: MiniProgramConfig | undefined; logger: Logger }) {
  const { db, config, logger } = deps;
  const memory = new Map<string, { openlink: string; expiresAt: number }>();
  const inflight = new Map<string, Promise<string | null>>();
  let mpToken: { value: string; until: number } | null = null;
  const http = axios.create({ baseURL: config?.apiBaseUrl, timeout: 5000, validateStatus: () => true, maxRedirects: 0 });
  const REFRESH_MARGIN_MS = 24 * 3_600_000;

  async function accessToken(): Promise<string> {
    if (mpToken && mpToken.until > Date.now()) return mpToken.value;
    const { data } = await http.get('/cgi-bin/token', { params: { grant_type: 'client_credential', appid: config!.appId, secret: config!.appSecret } });
    if (!data?.access_token) throw new Error(`mini program token failed: errcode ${data?.errcode ?? 'unknown'}`);
    mpToken = { value: data.access_token as string, until: Date.now() + Math.max(60, Number(data.expires_in ?? 7200) - 300) * 1000 };
    return mpToken.value;
  }

  async function generate(query: string, key: string): Promise<string> {
    const days = config!.schemeTtlDays;
    const { data } = await http.post(
      '/wxa/generatescheme',
      { jump_wxa: { path: config!.path, query, env_version: 'release' }, is_expire: true, expire_type: 1, expire_interval: days },
      { params: { access_token: await accessToken() } },
    );
    if (data?.errcode !== 0 || typeof data?.openlink !== 'string') {
      if (data?.errcode === 40001 || data?.errcode === 42001) mpToken = null;
      throw new Error(`generatescheme failed: errcode ${data?.errcode ?? 'unknown'}`);
    }
    const expiresAt = new Date(Date.now() + days * 86_400_000);
    await db('wss_mini_program_schemes')
      .insert({ cache_key: key, openlink: data.openlink, expires_at: expiresAt })
      .onConflict('cache_key')
      .merge();
    return data.openlink as string;
  }

  async function encrypted(storeId: string): Promise<string | null> {
    const query = `store=${encodeURIComponent(storeId)}`;
    const key = `${config!.appId}|${config!.path}|${query}`;
    const cached = memory.get(key);
    if (cached && cached.expiresAt - REFRESH_MARGIN_MS > Date.now()) return cached.openlink;
    let pending = inflight.get(key);
    if (!pending) {
      pending = (async () => {
        const row = await db('wss_mini_program_schemes').where('cache_key', key).first('openlink', 'expires_at');
        if (row && new Date(row.expires_at).getTime() - REFRESH_MARGIN_MS > Date.now()) {
          memory.set(key, { openlink: row.openlink, expiresAt: new Date(row.expires_at).getTime() });
          return row.openlink as string;
        }
        const openlink = await generate(query, key);
        memory.set(key, { openlink, expiresAt: Date.now() + config!.schemeTtlDays * 86_400_000 });
        return openlink;
      })()
        .catch((error: Error) => {
          logger.warn('mini program scheme unavailable; the guide falls back to the QR code', { error: error.message });
          return null;
        })
        .finally(() => inflight.delete(key));
      inflight.set(key, pending);
    }
    return pending;
  }

  return {
    /** The link for one guide visit, or null when no mini program is configured (QR only). */
    async linkFor(storeId: string, guideVisitId: string): Promise<string | null> {
      if (!config) return null;
      if (config.scheme === 'encrypted' && config.appSecret) return encrypted(storeId);
      const query = `store=${encodeURIComponent(storeId)}&visit=${encodeURIComponent(guideVisitId)}`;
      return `weixin://dl/business/?appid=${encodeURIComponent(config.appId)}&path=${encodeURIComponent(config.path)}&query=${encodeURIComponent(query)}`;
    },
  };
}

export type MiniProgramLinks = ReturnType<typeof createMiniProgramLinks>;
