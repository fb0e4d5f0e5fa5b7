/**
 * The plugin's Prometheus metrics (prom-client), registered once per plugin instance on the
 * registry the host passes in, or on a registry of the plugin's own. Features get this object
 * through their deps and only count; nothing here reads the database.
 */
import { Counter, Histogram, Registry } from 'prom-client';

export interface PluginMetrics {
  readonly registry: Registry;
  /** Customer-path events: `accepted`, `duplicate` or `rejected`, by event source. */
  readonly trackingEvents: Counter<'outcome'>;
  /** WeCom callbacks: `received` (verified and stored), `deduplicated`, `applied`, `rejected`. */
  readonly callbacks: Counter<'outcome'>;
  /** Robot alerts: `queued`, `sent`, `failed` (an attempt that will be retried or given up). */
  readonly alerts: Counter<'outcome'>;
  /** Times a robot sender waited for its per-minute window before sending. */
  readonly robotRateLimitWaits: Counter<'channel'>;
  /** Scheduled job runs by outcome (`ok`, `failed`, `timeout`, `skipped`). */
  readonly jobRuns: Counter<'job' | 'outcome'>;
  readonly jobDuration: Histogram<'job'>;
  /** WeCom server-API exchanges by API path and errcode (`transport` when no WeCom answer came). */
  readonly wecomApiCalls: Counter<'api' | 'errcode'>;
  /** Public entry lookups answered from the per-process cache or from the database. */
  readonly entryCache: Counter<'result'>;
  /** Store-account lookups (other host features) from the cache or the database. */
  readonly storeAccountCache: Counter<'result'>;
}

export interface MetricsOptions {
  /** The host's registry (e.g. prom-client's global `register`); the plugin's own when omitted. */
  registry?: Registry;
  /** Prepended to every metric name. */
  prefix?: string;
}

export function createPluginMetrics(options: MetricsOptions = {}): PluginMetrics {
  const registry = options.registry ?? new Registry();
  const prefix = options.prefix ?? 'wss_';
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name: `${prefix}${name}`, help, labelNames, registers });
  return {
    registry,
    trackingEvents: counter('tracking_events_total', 'Customer-path events by outcome', ['outcome']),
    callbacks: counter('wecom_callbacks_total', 'WeCom callbacks by outcome', ['outcome']),
    alerts: counter('alerts_total', 'Robot alerts queued, sent and failed attempts', ['outcome']),
    robotRateLimitWaits: counter('robot_rate_limit_waits_total', 'Robot sends that waited for the per-minute window', ['channel']),
    jobRuns: counter('job_runs_total', 'Scheduled job runs by outcome', ['job', 'outcome']),
    jobDuration: new Histogram({
      name: `${prefix}job_duration_seconds`,
      help: 'Scheduled job run time',
      labelNames: ['job'],
      buckets: [0.01, 0.05, 0.25, 1, 5, 30, 120, 600],
      registers,
    }),
    wecomApiCalls: counter('wecom_api_calls_total', 'WeCom server-API calls by API and errcode', ['api', 'errcode']),
    entryCache: counter('entry_cache_total', 'Public entry lookups by cache result', ['result']),
    storeAccountCache: counter('store_account_cache_total', 'Store-account lookups by cache result', ['result']),
  };
}

/** For services built without the plugin (unit tests, tools): counts into a registry no one reads. */
export function detachedMetrics(): PluginMetrics {
  return createPluginMetrics();
}
