import type { PluginServices } from '../plugin/services.js';

/**
 * Thin job declarations: each calls a service; the logic lives in the service. Cron, default
 * on/off and timeout are declared in manifest.json (test/manifest.test.ts keeps both in step).
 */
export interface JobDefinition {
  id: string;
  run(services: PluginServices, signal: AbortSignal): Promise<unknown>;
}

export const jobDefinitions: JobDefinition[] = [
  { id: 'directory-sync', run: (services, signal) => services.directory.sync(signal) },
  { id: 'account-status-check', run: (services, signal) => services.bindings.refreshAccountStatuses(signal) },
  { id: 'wecom-callback-replay', run: (services) => services.wecomCallbacks.processPending() },
  { id: 'guide-pool-refill', run: (services, signal) => services.guide.refillPool(signal) },
  { id: 'metrics-rollup', run: (services, signal) => services.metrics.rollupRecent(signal) },
  { id: 'capacity-sync', run: (services, signal) => services.capacity.sync(signal) },
  { id: 'alert-delivery', run: (services, signal) => services.alerts.deliverDue(signal) },
];
