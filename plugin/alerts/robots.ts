/**
 * Group-robot senders for WeCom, DingTalk and Feishu. They never throw for a refused message: the
 * result says whether to retry later (rate_limited / transient), give up (permanent), or that the
 * robot may have taken it without the answer coming back (unconfirmed: a timeout or a connection
 * lost after the request went out), so an outbox can decide. Keys, tokens and signatures never
 * reach the logs.
 */
import { createHmac } from 'node:crypto';
import axios from 'axios';
import { createRedactingLogger } from '../core/redact.js';
import type { Logger } from '../core/logger.js';

export type RobotKind = 'wecom' | 'dingtalk' | 'feishu';

export type RobotTarget =
  | { kind: 'wecom'; key: string }
  | { kind: 'dingtalk'; accessToken: string; secret?: string }
  | { kind: 'feishu'; token: string; secret?: string };

export type RobotMessage =
  | { type: 'text'; content: string; mentionAll?: boolean; mentionUserIds?: string[]; mentionMobiles?: string[] }
  | { type: 'markdown'; title?: string; content: string };

export type RobotFailure = 'rate_limited' | 'permanent' | 'transient' | 'unconfirmed';

/** Transport errors that happen before a request can reach the robot: nothing was delivered. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL']);

export type RobotSendResult =
  | { ok: true }
  | { ok: false; failure: RobotFailure; code: string; message: string; retryAfterMs?: number };

export interface RobotSenderOptions {
  /** Override the public hosts, e.g. with the simulator URL for all three. */
  baseUrls?: Partial<Record<RobotKind, string>>;
  timeoutMs?: number;
  logger?: Logger;
  now?: () => number;
}

const ROBOT_BASE_URLS: Record<RobotKind, string> = {
  wecom: 'https://qyapi.weixin.qq.com',
  dingtalk: 'https://oapi.dingtalk.com',
  feishu: 'https://open.feishu.cn',
};

/** DingTalk: base64(HmacSHA256(key = secret, msg = timestampMs + "\n" + secret)); URL-encode when placing it in the query. */
export function dingtalkSign(secret: string, timestampMs: number | string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/** Feishu: base64(HmacSHA256(key = timestampSeconds + "\n" + secret, msg = "")). */
export function feishuSign(secret: string, timestampSeconds: number | string): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

const WECOM_LIMITS = { text: 2048, markdown: 4096 } as const;

interface Request {
  url: string;
  body: Record<string, unknown>;
}

function wecomRequest(base: string, target: { key: string }, message: RobotMessage): Request | RobotSendResult {
  const bytes = Buffer.byteLength(message.content);
  if (bytes > WECOM_LIMITS[message.type]) return { ok: false, failure: 'permanent', code: 'content_too_long', message: `${message.type} content is ${bytes} bytes, max ${WECOM_LIMITS[message.type]}` };
  const url = `${base}/cgi-bin/webhook/send?key=${encodeURIComponent(target.key)}`;
  if (message.type === 'markdown') return { url, body: { msgtype: 'markdown', markdown: { content: message.content } } };
  const mentioned = [...(message.mentionUserIds ?? []), ...(message.mentionAll ? ['@all'] : [])];
  return { url, body: { msgtype: 'text', text: { content: message.content, mentioned_list: mentioned, mentioned_mobile_list: message.mentionMobiles ?? [] } } };
}

function dingtalkRequest(base: string, target: { accessToken: string; secret?: string }, message: RobotMessage, now: number): Request {
  const query = new URLSearchParams({ access_token: target.accessToken });
  if (target.secret) {
    query.set('timestamp', String(now));
    query.set('sign', dingtalkSign(target.secret, now));
  }
  const url = `${base}/robot/send?${query.toString()}`;
  if (message.type === 'markdown') return { url, body: { msgtype: 'markdown', markdown: { title: message.title ?? message.content.slice(0, 20), text: message.content } } };
  return { url, body: { msgtype: 'text', text: { content: message.content }, at: { atMobiles: message.mentionMobiles ?? [], atUserIds: message.mentionUserIds ?? [], isAtAll: message.mentionAll ?? false } } };
}

function feishuRequest(base: string, target: { token: string; secret?: string }, message: RobotMessage, now: number): Request {
  const url = `${base}/open-apis/bot/v2/hook/${encodeURIComponent(target.token)}`;
  const text = message.type === 'text' && message.mentionAll ? `${message.content} <at user_id="all">所有人</at>` : message.content;
  const body: Record<string, unknown> = { msg_type: 'text', content: { text: message.type === 'markdown' && message.title ? `${message.title}\n${text}` : text } };
  if (target.secret) {
    const seconds = Math.floor(now / 1000);
    body.timestamp = String(seconds);
    body.sign = feishuSign(target.secret, seconds);
  }
  return { url, body };
}

const MINUTE = 60_000;

function classify(kind: RobotKind, code: number, message: string): RobotSendResult {
  if (code === 0) return { ok: true };
  const fail = (failure: RobotFailure, retryAfterMs?: number): RobotSendResult => ({ ok: false, failure, code: String(code), message, ...(retryAfterMs ? { retryAfterMs } : {}) });
  if (code === -1) return fail('transient', 5000);
  if (kind === 'wecom' && (code === 45009 || code === 45033)) return fail('rate_limited', MINUTE);
  if (kind === 'dingtalk' && code === 130101) return fail('rate_limited', 10 * MINUTE);
  if (kind === 'feishu' && (code === 11232 || code === 9499)) return fail('rate_limited', MINUTE);
  return fail('permanent');
}

export function createRobotSender(options: RobotSenderOptions = {}) {
  const urls = { ...ROBOT_BASE_URLS, ...options.baseUrls };
  const now = options.now ?? Date.now;
  const secretsOf = new Set<string>();
  const log = createRedactingLogger(options.logger, () => secretsOf);
  const http = axios.create({ timeout: options.timeoutMs ?? 10_000, validateStatus: () => true, maxRedirects: 0 });

  return {
    async send(target: RobotTarget, message: RobotMessage): Promise<RobotSendResult> {
      const at = now();
      let request: Request | RobotSendResult;
      if (target.kind === 'wecom') {
        secretsOf.add(target.key);
        request = wecomRequest(urls.wecom, target, message);
      } else if (target.kind === 'dingtalk') {
        secretsOf.add(target.accessToken);
        if (target.secret) secretsOf.add(target.secret);
        request = dingtalkRequest(urls.dingtalk, target, message, at);
      } else {
        secretsOf.add(target.token);
        if (target.secret) secretsOf.add(target.secret);
        request = feishuRequest(urls.feishu, target, message, at);
      }
      if ('ok' in request) return request;
      let status: number;
      let data: unknown;
      try {
        ({ status, data } = await http.post(request.url, request.body, { headers: { 'content-type': 'application/json; charset=utf-8' } }));
      } catch (error) {
        const code = axios.isAxiosError(error) ? (error.code ?? 'network_error') : 'network_error';
        log.warn('robot send failed', { kind: target.kind, code });
        if (NOT_SENT_CODES.has(code)) return { ok: false, failure: 'transient', code, message: 'request failed' };
        return { ok: false, failure: 'unconfirmed', code, message: 'no answer (the robot may have received it)' };
      }
      if (status === 429) return { ok: false, failure: 'rate_limited', code: 'http_429', message: 'HTTP 429', retryAfterMs: MINUTE };
      if (status >= 500) return { ok: false, failure: 'transient', code: `http_${status}`, message: `HTTP ${status}` };
      const reply = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
      const rawCode = target.kind === 'feishu' ? (reply.code ?? reply.StatusCode) : reply.errcode;
      if (typeof rawCode !== 'number') return { ok: false, failure: status >= 400 ? 'permanent' : 'transient', code: `http_${status}`, message: 'unexpected answer' };
      const text = String((target.kind === 'feishu' ? reply.msg : reply.errmsg) ?? '');
      const result = classify(target.kind, rawCode, text);
      if (!result.ok) log.warn('robot refused message', { kind: target.kind, code: result.code, failure: result.failure, message: text });
      return result;
    },
  };
}

export type RobotSender = ReturnType<typeof createRobotSender>;
