import type { Logger } from './logger.js';
import { redactText, redactValue } from './redact.js';

/** The part of a pino logger the adapter calls (pino itself, or any child of the host's). */
export interface PinoLike {
  debug(object: Record<string, unknown>, message: string): void;
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
  error(object: Record<string, unknown>, message: string): void;
  child(bindings: Record<string, unknown>): PinoLike;
}

/**
 * The plugin's Logger on top of the host's pino: one JSON line per message, the plugin's meta as
 * top-level fields (`requestId`, `jobId`, `account`, `errcode`…) under a `plugin` binding, every
 * value redacted first (query-string and JSON credentials, robot hook keys, fields named like a
 * secret, plus the exact secrets `secrets()` lists). Secrets never reach pino, even at debug level.
 */
export function createPinoLogger(pino: PinoLike, options: { secrets?: () => Iterable<string>; bindings?: Record<string, unknown> } = {}): Logger {
  const target = pino.child({ plugin: 'wecom-store-service', ...options.bindings });
  const secrets = options.secrets ?? (() => []);
  const write = (level: keyof Logger) => (message: string, meta?: Record<string, unknown>) => {
    const known = [...secrets()];
    const fields = meta ? (redactValue(meta, known) as Record<string, unknown>) : {};
    target[level](fields, redactText(message, known));
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
