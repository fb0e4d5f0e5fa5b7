/** Typed WeCom failures. Messages never carry credentials: they are built from redacted parts only. */

export type WecomErrorKind = 'token' | 'credential' | 'busy' | 'rate_limited' | 'permanent';

export const TOKEN_ERRCODES: ReadonlySet<number> = new Set([40014, 42001, 41001]);
const CREDENTIAL_ERRCODES: ReadonlySet<number> = new Set([40001, 40013, 40091, 41002, 41004]);
export const RATE_LIMIT_ERRCODES: ReadonlySet<number> = new Set([45009, 45033]);
export const BUSY_ERRCODE = -1;

function classifyErrcode(errcode: number): WecomErrorKind {
  if (errcode === BUSY_ERRCODE) return 'busy';
  if (TOKEN_ERRCODES.has(errcode)) return 'token';
  if (CREDENTIAL_ERRCODES.has(errcode)) return 'credential';
  if (RATE_LIMIT_ERRCODES.has(errcode)) return 'rate_limited';
  return 'permanent';
}

/** WeCom answered with a non-zero errcode. `api` is the path, e.g. `/cgi-bin/user/get`. */
export class WecomApiError extends Error {
  readonly kind: WecomErrorKind;

  constructor(readonly errcode: number, readonly errmsg: string, readonly api: string) {
    super(`WeCom ${api} failed: errcode ${errcode}, ${errmsg}`);
    this.name = 'WecomApiError';
    this.kind = classifyErrcode(errcode);
  }

  /** True when retrying later may succeed. */
  get transient(): boolean {
    return this.kind === 'busy' || this.kind === 'rate_limited' || this.errcode === 41096;
  }
}

/** No usable answer: network failure, timeout, non-200 status or a body that is not WeCom JSON. */
export class WecomTransportError extends Error {
  readonly kind = 'transport' as const;

  constructor(readonly api: string, readonly reason: string, readonly status?: number) {
    super(`WeCom ${api} transport failure: ${reason}${status ? ` (HTTP ${status})` : ''}`);
    this.name = 'WecomTransportError';
  }
}
