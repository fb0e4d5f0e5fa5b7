/** `npm run manifest:sync` — writes the config JSON Schema into manifest.json. */
import { readFileSync, writeFileSync } from 'node:fs';
import { configJsonSchema } from './config.js';
import { MANIFEST_PATH } from './manifest/manifest.js';

const manifest = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as Record<string, unknown>;
manifest.configSchema = configJsonSchema();
writeFileSync(MANIFEST_PATH, JSON.stringify(manifest, null, 2) + '\n');
console.info('manifest.json configSchema updated');
