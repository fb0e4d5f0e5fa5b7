import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../core/package-root.js';

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

export const MANIFEST_PATH = path.join(PACKAGE_ROOT, 'manifest.json');

export function loadManifest(): PluginManifest {
  return JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as PluginManifest;
}
