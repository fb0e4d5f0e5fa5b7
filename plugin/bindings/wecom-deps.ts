import { HttpError } from '../http/errors.js';
import { WecomApiError, WecomTransportError } from '../wecom/errors.js';
import type { AddContactWayRequest, AddContactWayResponse, UpdateContactWayRequest } from '../wecom/types.js';

/** The slice of the WeCom client the binding workflow needs (createWecomClient satisfies it). */
export interface BindingsWecomApi {
  getUser(userid: string): Promise<{ userid: string; name: string; status: number }>;
  addContactWay(request: AddContactWayRequest): Promise<AddContactWayResponse>;
  updateContactWay(request: UpdateContactWayRequest): Promise<void>;
  delContactWay(configId: string): Promise<void>;
}

/** user/get errcodes that mean "no such member we may see": unknown userid, outside the app's range. */
export const UNKNOWN_MEMBER_ERRCODES: ReadonlySet<number> = new Set([60111, 60011, 60021, 40003]);

/** WeCom failures become a 502 the client can show; the message carries no credential. */
export function wecomUnavailable(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof WecomApiError) {
    return new HttpError(502, 'wecom_error', `企业微信接口返回错误 ${error.errcode} (WeCom ${error.api} errcode ${error.errcode})`, {
      errcode: error.errcode,
    });
  }
  if (error instanceof WecomTransportError) {
    return new HttpError(502, 'wecom_unavailable', `企业微信暂时无法访问 (WeCom unreachable: ${error.reason})`);
  }
  return new HttpError(502, 'wecom_unavailable', '企业微信暂时无法访问 (WeCom unreachable)');
}

/** Runs `fn` over items with at most `limit` in flight; results keep the input order. */
export async function mapWithConcurrency<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
