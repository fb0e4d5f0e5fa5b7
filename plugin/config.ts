import { z } from 'zod';
import { alertsConfigSchema } from './alerts/index.js';
import { acquisitionConfigSchema } from './acquisition/index.js';
import { capacityConfigSchema } from './capacity/index.js';
import { customerPathConfigSchema } from './customer-path/index.js';
import { reviewsConfigSchema } from './entry-visibility/index.js';
import { wecomConfigSchema } from './wecom/index.js';

const jobSettings = z
  .object({
    enabled: z.boolean().optional().describe('Run this job in this process (default: the manifest default)'),
    cron: z.string().min(9).optional().describe('Overrides the manifest cron expression'),
    timeoutMs: z.number().int().positive().optional().describe('Abort a run that takes longer'),
    leaseMs: z
      .number().int().min(1000).max(3_600_000).optional()
      .describe('A run holds the job for this long unless renewed (every third of it); a process that dies mid-run blocks the job this long (default 30000)'),
  })
  .strict();

/**
 * The plugin configuration the host passes to createWecomStoreService. manifest.json carries the
 * same schema as JSON Schema (test/foundation/manifest.test.ts keeps them equal).
 */
export const configSchema = z
  .object({
    routesPrefix: z
      .string()
      .regex(/^\/[a-z0-9/_-]*[a-z0-9]$/, 'must start with / and not end with /')
      .default('/plugins/wecom-store-service'),
    publicBaseUrl: z.url().optional().describe('Absolute URL customers reach the plugin routes at (guide links)'),
    timezone: z.string().default('Asia/Shanghai'),
    wecom: wecomConfigSchema,
    jobs: z.record(z.string(), jobSettings).default({}),
    capacity: capacityConfigSchema.prefault({}),
    alerts: alertsConfigSchema.prefault({}),
    customerPath: customerPathConfigSchema.prefault({}),
    database: z
      .object({
        directUrl: z
          .string()
          .min(1)
          .optional()
          .describe('PostgreSQL connection string that bypasses any pooler, for the LISTEN of the entry cache (needed when the host knex goes through PgBouncer in transaction mode); secret, never logged'),
      })
      .strict()
      .prefault({}),
    reviews: reviewsConfigSchema.prefault({}),
    acquisition: acquisitionConfigSchema.prefault({}),
  })
  .strict();

export type PluginConfig = z.infer<typeof configSchema>;
export type PluginConfigInput = z.input<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly fields: Record<string, string>) {
    super(
      `wecom-store-service: invalid config: ${Object.entries(fields)
        .map(([field, problem]) => `${field}: ${problem}`)
        .join('; ')}`,
    );
    this.name = 'ConfigError';
  }
}

/** Validates at start so a bad config fails fast, naming the field. */
export function parseConfig(input: unknown): PluginConfig {
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const base = issue.path.join('.');
    if (unknownKeys.length) {
      for (const key of unknownKeys) fields[base ? `${base}.${key}` : key] = 'unknown setting';
    } else {
      fields[base || '(root)'] ??= issue.message;
    }
  }
  throw new ConfigError(fields);
}

/** The JSON Schema manifest.json must carry. */
export function configJsonSchema(): unknown {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
}
