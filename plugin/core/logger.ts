/** The logger a host passes in; console-backed by default. Never give it a secret. */
export interface Logger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

export function createConsoleLogger(name = 'wecom-store-service'): Logger {
  const line = (level: string, message: string, meta?: Record<string, unknown>) =>
    `[${name}] ${level} ${message}${meta && Object.keys(meta).length ? ' ' + JSON.stringify(meta) : ''}`;
  return {
    debug: () => {},
    info: (m, meta) => console.info(line('info', m, meta)),
    warn: (m, meta) => console.warn(line('warn', m, meta)),
    error: (m, meta) => console.error(line('error', m, meta)),
  };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
