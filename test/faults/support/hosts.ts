/** Starting and stopping fault-suite host processes (plugin-host.ts) from a test. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TEST_WECOM } from '../../support/credentials.js';

export interface HostProcess {
  name: string;
  pid: number;
  url: string;
  child: ChildProcess;
  /** Everything the host wrote to stderr (its logs). */
  log: string[];
  /** Resolves with the exit code and signal once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly alive: boolean;
  stop(): Promise<void>;
}

export interface HostOptions {
  name: string;
  dbUrl: string;
  simUrl: string;
  /** Jobs to run every second in this process (the others are off). */
  jobs?: string[];
  directUrl?: string;
  config?: Record<string, unknown>;
  killOnSql?: RegExp;
  killAfter?: number;
  jobLeaseMs?: number;
  migrate?: boolean;
  /** How long to wait for `ready`. */
  timeoutMs?: number;
}

const HOST_SCRIPT = fileURLToPath(new URL('./plugin-host.ts', import.meta.url));

export function spawnScript(script: string, env: Record<string, string | undefined>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Waits for the first stdout JSON line with `ready`; rejects with the host's log if it dies first. */
export function waitReady(child: ChildProcess, log: string[], timeoutMs: number): Promise<{ port: number }> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`host not ready after ${timeoutMs} ms:\n${log.join('')}`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const raw of buffer.split('\n').slice(0, -1)) {
        try {
          const parsed = JSON.parse(raw) as { ready?: boolean; port?: number };
          if (parsed.ready) {
            clearTimeout(timer);
            resolve({ port: parsed.port ?? 0 });
          }
        } catch {
          /* not a control line */
        }
      }
      buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`host exited (${code ?? signal}) before ready:\n${log.join('')}`));
    });
  });
}

/** Follows a spawned host until it is ready; `stop()` asks it to finish (SIGTERM), then kills it. */
async function follow(name: string, child: ChildProcess, timeoutMs: number, urlOf: (port: number) => string): Promise<HostProcess> {
  const log: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  let alive = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      alive = false;
      resolve({ code, signal });
    }),
  );
  const { port } = await waitReady(child, log, timeoutMs);
  return {
    name,
    pid: child.pid!,
    url: urlOf(port),
    child,
    log,
    exited,
    get alive() {
      return alive;
    },
    async stop() {
      if (!alive) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function startHost(options: HostOptions): Promise<HostProcess> {
  const child = spawnScript(HOST_SCRIPT, {
    WSS_NAME: options.name,
    WSS_DB_URL: options.dbUrl,
    WSS_DIRECT_URL: options.directUrl,
    WSS_SIM_URL: options.simUrl,
    WSS_CORP_ID: TEST_WECOM.corpId,
    WSS_CORP_SECRET: TEST_WECOM.corpSecret,
    WSS_CALLBACK_TOKEN: TEST_WECOM.callbackToken,
    WSS_CALLBACK_AES_KEY: TEST_WECOM.callbackEncodingAesKey,
    WSS_JOBS: (options.jobs ?? []).join(','),
    WSS_CONFIG: JSON.stringify(options.config ?? {}),
    WSS_KILL_ON_SQL: options.killOnSql?.source,
    WSS_KILL_AFTER: options.killAfter ? String(options.killAfter) : undefined,
    WSS_MIGRATE: options.migrate ? '1' : undefined,
    WSS_JOB_LEASE_MS: options.jobLeaseMs ? String(options.jobLeaseMs) : undefined,
  });
  return follow(options.name, child, options.timeoutMs ?? 30_000, (port) => `http://127.0.0.1:${port}`);
}

const SCHEDULER_SCRIPT = fileURLToPath(new URL('./scheduler-host.ts', import.meta.url));

/** A process running only the job scheduler with recording jobs (scheduler-host.ts). */
export async function startSchedulerHost(options: { name: string; dbUrl: string; stallMs?: number; runMs?: number }): Promise<HostProcess> {
  const child = spawnScript(SCHEDULER_SCRIPT, {
    WSS_NAME: options.name,
    WSS_DB_URL: options.dbUrl,
    WSS_STALL_MS: options.stallMs ? String(options.stallMs) : undefined,
    WSS_RUN_MS: options.runMs ? String(options.runMs) : undefined,
  });
  return follow(options.name, child, 30_000, () => '');
}
