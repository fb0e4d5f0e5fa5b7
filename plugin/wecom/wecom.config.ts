import { z } from 'zod';

/** `wecom` section of the plugin config: the self-built app and the client's own budget. */
export const wecomConfigSchema = z
  .object({
    apiBaseUrl: z.url().default('https://qyapi.weixin.qq.com'),
    corpId: z.string().min(1),
    corpSecret: z.string().min(1).describe('Secret of the self-built app; never logged'),
    callbackToken: z.string().min(1).max(32).describe('Callback Token; never logged'),
    callbackEncodingAesKey: z.string().length(43).describe('Callback EncodingAESKey (43 chars); never logged'),
    perApiPerMinute: z.number().int().positive().max(10000).default(9000),
    concurrency: z.number().int().positive().max(100).default(10),
  })
  .strict();

export type WecomConfig = z.infer<typeof wecomConfigSchema>;
