import { createWecomClient, type WecomClientOptions } from '../../plugin/wecom/client.js';
import { createMemoryTokenStore } from '../../plugin/wecom/token-store.js';
import type { Logger } from '../../plugin/core/logger.js';
import { TEST_WECOM } from '../support/credentials.js';
import { createWecomSimulator, type WecomSimulator, type WecomSimulatorOptions } from '../../simulator/server.js';

export const CORP_ID = TEST_WECOM.corpId;
export const CORP_SECRET = TEST_WECOM.corpSecret;

export function startSimulator(options: WecomSimulatorOptions = {}): Promise<WecomSimulator> {
  return createWecomSimulator({ corpId: CORP_ID, corpSecret: CORP_SECRET, ...options });
}

export interface CapturedLogger extends Logger {
  lines: string[];
}

export function captureLogger(): CapturedLogger {
  const lines: string[] = [];
  const write = (level: string) => (message: string, meta?: Record<string, unknown>) => {
    lines.push(`${level} ${message} ${meta ? JSON.stringify(meta) : ''}`);
  };
  return { lines, debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

export function clientFor(sim: WecomSimulator, overrides: Partial<WecomClientOptions> = {}) {
  return createWecomClient({
    baseUrl: sim.url,
    corpId: CORP_ID,
    corpSecret: CORP_SECRET,
    tokenStore: createMemoryTokenStore(),
    retry: { baseDelayMs: 5, rateLimitDelayMs: 20, maxDelayMs: 200 },
    ...overrides,
  });
}

export async function control<T = Record<string, unknown>>(sim: WecomSimulator, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await response.json()) as T;
}

export async function getJson<T = Record<string, unknown>>(url: string, init?: RequestInit): Promise<T> {
  return (await (await fetch(url, init)).json()) as T;
}

export async function postJson<T = Record<string, unknown>>(url: string, body: unknown): Promise<T> {
  return getJson<T>(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
