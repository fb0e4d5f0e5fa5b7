/** Keeps credentials (corpsecret, access_token, robot keys, signatures) out of logs and errors. */

const QUERY_SECRET = /\b(access_token|corpsecret|key|sign|secret)=([^&\s"'#]+)/gi;
const JSON_SECRET = /("(?:access_token|corpsecret|secret|sign)"\s*:\s*")([^"]*)(")/gi;
const FEISHU_HOOK = /(\/open-apis\/bot\/v2\/hook\/)([^/?\s"']+)/gi;

export const REDACTED = '[REDACTED]';

export function redactText(text: string, secrets: Iterable<string> = []): string {
  let result = text.replace(QUERY_SECRET, `$1=${REDACTED}`).replace(JSON_SECRET, `$1${REDACTED}$3`).replace(FEISHU_HOOK, `$1${REDACTED}`);
  for (const secret of secrets) {
    if (secret && secret.length >= 6) {
      result = result.split(secret).join(REDACTED);
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret) result = result.split(encoded).join(REDACTED);
    }
  }
  return result;
}

/** Redacts every string inside a plain value (objects and arrays are copied). */
export function redactValue(value: unknown, secrets: Iterable<string> = [], depth = 0): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (value === null || typeof value !== 'object') return value;
  // Deeper than this nothing is walked, so nothing is passed on either: a secret could sit there.
  if (depth > 6) return '[Truncated]';
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Error) return redactText(`${value.name}: ${value.message}`, secrets);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secrets, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([name, item]) => [
      name,
      /^(access_token|corpsecret|corpSecret|secret|key|sign|token)$/.test(name) && typeof item === 'string' ? REDACTED : redactValue(item, secrets, depth + 1),
    ]),
  );
}

export interface RedactingLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

type LoggerLike = {
  debug?(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
};

const silent: LoggerLike = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Wraps a logger so every message and meta value passes through redaction first. */
export function createRedactingLogger(logger: LoggerLike | undefined, secrets: () => Iterable<string>): RedactingLogger {
  const target = logger ?? silent;
  const emit = (level: 'debug' | 'info' | 'warn' | 'error', message: string, meta?: Record<string, unknown>) => {
    const known = [...secrets()];
    const safeMeta = meta ? (redactValue(meta, known) as Record<string, unknown>) : undefined;
    const write = target[level]?.bind(target);
    if (write) write(redactText(message, known), safeMeta);
  };
  return {
    debug: (message, meta) => emit('debug', message, meta),
    info: (message, meta) => emit('info', message, meta),
    warn: (message, meta) => emit('warn', message, meta),
    error: (message, meta) => emit('error', message, meta),
  };
}
