import { z } from 'zod';

/** `acquisition` section: customer acquisition links (获客链接) as a guide mode, and quota warnings. */
export const acquisitionConfigSchema = z
  .object({
    balanceLowBelow: z.number().int().min(1).max(100000).default(100).describe('Warn HQ when fewer acquisition customers than this are left'),
    expiryWarnDays: z.number().int().min(1).max(90).default(7).describe('Warn HQ this many days before a quota package expires'),
    linkNamePrefix: z.string().min(1).max(20).default('门店服务').describe('Link names: "<prefix>·<account name>" (≤30 characters)'),
  })
  .strict();

export type AcquisitionConfig = z.infer<typeof acquisitionConfigSchema>;
