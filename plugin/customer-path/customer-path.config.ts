import { z } from 'zod';
import { ingestConfigSchema } from '../tracking/index.js';

/** `customerPath` section of the plugin config: order-result entry, guide page, tracking ingestion. */
export const customerPathConfigSchema = z
  .object({
    entryText: z.string().min(1).max(20).default('添加门店专属客服').describe('Text of the order-result entry'),
    entryCacheMaxAgeSeconds: z
      .number().int().min(1).max(3600).default(30)
      .describe('A cached entry is re-checked against the database after this long even without a NOTIFY'),
    entryCacheSize: z.number().int().min(100).max(1_000_000).default(100_000),
    entryListenerHeartbeatMs: z
      .number().int().min(100).max(60_000).default(1000)
      .describe('The entry cache NOTIFYs itself this often; it is trusted only while a heartbeat sent within three of these came back'),
    miniProgram: z
      .object({
        appId: z.string().min(1),
        path: z.string().min(1).default('pages/store-service/index'),
        scheme: z.enum(['plain', 'encrypted']).default('plain').describe('plain weixin://dl/business/?appid=… or an encrypted scheme from generatescheme'),
        appSecret: z.string().min(1).optional().describe('Mini program AppSecret, needed for encrypted schemes; never logged'),
        apiBaseUrl: z.url().default('https://api.weixin.qq.com'),
        schemeTtlDays: z.number().int().min(1).max(30).default(30),
      })
      .strict()
      .optional(),
    pool: z
      .object({
        perStore: z.number().int().min(0).max(50).default(2).describe('Free per-visit contact ways kept per shown store (0 = store-level code only)'),
        leaseMinutes: z.number().int().min(1).max(1440).default(30),
        maxCreatesPerRun: z.number().int().min(1).max(10_000).default(500),
        leasesPerRequesterPerStore: z
          .number().int().min(1).max(50).default(1)
          .describe('Pool ways one client address may hold at once at one store; further visits show the store code'),
        leasesPerVisitor: z
          .number().int().min(1).max(50).default(3)
          .describe('Pool ways one visitor id may hold at once across stores'),
        leasesPerStorePerMinute: z
          .number().int().min(1).max(10_000).default(6)
          .describe('New pool leases per store per minute; past it visits show the store code'),
      })
      .strict()
      .prefault({}),
    ingest: ingestConfigSchema.prefault({}),
  })
  .strict();

export type CustomerPathConfig = z.infer<typeof customerPathConfigSchema>;
