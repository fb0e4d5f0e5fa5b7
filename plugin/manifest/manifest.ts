import { readFileSync } from 'node:fs';

export interface LocalizedText {
  'zh-CN': string;
  en: string;
}

export interface PluginManifest {
  id: string;
  name: LocalizedText;
  description: LocalizedText;
  version: string;
  hostApi: string;
  routesPrefix: string;
  permissions: { id: string; name: LocalizedText }[];
  roles: { id: string; name: LocalizedText; branchScope: 'all' | 'own'; grants: string[] }[];
  elements: { tag: string; placement: string; title?: LocalizedText; requires: string[]; attributes: Record<string, string> }[];
  assets: { elements: string };
  jobs: { id: string; description: string; cron: string; defaultEnabled: boolean; timeoutMs: number }[];
  configSchema: unknown;
}

export const MANIFEST_PATH = new URL('../../manifest.json', import.meta.url);

export function loadManifest(): PluginManifest {
  return JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as PluginManifest;
}
