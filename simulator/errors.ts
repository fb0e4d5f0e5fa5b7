import { randomBytes } from 'node:crypto';

/** errmsg texts as the real service words them (the hint/ip/more-info tail is appended). */
const MESSAGES: Record<number, string> = {
  [-1]: 'system busy',
  47001: 'data format error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40008: 'invalid message type',
  40013: 'invalid corpid',
  40014: 'invalid access_token',
  40058: 'invalid Request Parameter',
  40091: 'secret is invalid',
  40097: 'invalid handover userid, the member has not resigned',
  40099: 'external contact count reach limit',
  40128: 'the customer has been transferred too frequently',
  40129: 'the customer is being transferred',
  40130: 'handover userid and takeover userid are the same',
  41001: 'access_token missing',
  41002: 'corpid missing',
  41004: 'corpsecret missing',
  41039: 'invalid contact way type',
  41040: 'invalid contact way scene',
  41041: 'contact way user count exceed limit',
  41044: 'invalid contact way config id',
  41045: 'contact way count exceed limit',
  41050: 'external contact welcome code expired',
  41051: 'welcome msg already sent or customer has chatted with staff',
  41096: 'another app is sending welcome msg',
  42001: 'access_token expired',
  45009: 'api freq out of limit',
  45033: 'api concurrent out of limit',
  48002: 'api forbidden',
  60003: 'department not found',
  60011: 'no privilege to access/modify contact/party/agent',
  60111: 'userid not found',
  84061: 'not external contact',
  93000: 'invalid webhook url, or webhook has been removed',
};

export function wecomErrmsg(errcode: number, detail?: string): string {
  if (errcode === 0) return 'ok';
  const base = detail ?? MESSAGES[errcode] ?? 'unknown error';
  const hint = `${Math.floor(Date.now() / 1000)}-${randomBytes(4).toString('hex')}-${randomBytes(3).toString('hex')}`;
  return `${base}, hint: [${hint}], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`;
}

export function wecomError(errcode: number, detail?: string): { errcode: number; errmsg: string } {
  return { errcode, errmsg: wecomErrmsg(errcode, detail) };
}
