/**
 * Domain errors: what went wrong in the plugin's own terms. Services throw these; the HTTP edge
 * (plugin/http/error-handler.ts) maps each kind to a status. Messages are for people (zh-CN first,
 * never a credential); `code` is for machines.
 */
export type DomainErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'rate_limited'
  | 'unavailable';

export type FieldErrors = Record<string, string>;

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** Bad input: a 400 naming each bad field. */
export class InputError extends DomainError {
  constructor(message: string, fields?: FieldErrors, code = 'invalid_input') {
    super('invalid', code, message, fields ? { fields } : undefined);
    this.name = 'InputError';
  }
}

export const unauthenticated = () => new DomainError('unauthenticated', 'unauthenticated', '请先登录 (sign in first)');
export const forbidden = (message = '无权执行此操作 (not allowed)', code = 'forbidden') => new DomainError('forbidden', code, message);
export const notFound = (message: string, code = 'not_found') => new DomainError('not_found', code, message);
export const conflict = (message: string, code: string, details?: unknown) => new DomainError('conflict', code, message, details);
export const tooLarge = (message: string, code = 'payload_too_large') => new DomainError('too_large', code, message);
export const rateLimited = (message: string, code = 'rate_limited') => new DomainError('rate_limited', code, message);
export const unavailable = (message: string, code: string, details?: unknown) => new DomainError('unavailable', code, message, details);

/**
 * The plugin cannot work with the host's setup (thrown by `start()`, never by a request): the message
 * says what is wrong, `setting` names the config key that fixes it.
 */
export class StartupError extends Error {
  constructor(message: string, readonly setting?: string) {
    super(message);
    this.name = 'StartupError';
  }
}
