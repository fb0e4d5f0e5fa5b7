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
];
