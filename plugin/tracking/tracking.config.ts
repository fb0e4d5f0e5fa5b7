import { z } from 'zod';

/** `customerPath.ingest`: limits of the public event ingestion (flood guards, not quotas). */
export const ingestConfigSchema = z
  .object({
    perIpPerMinute: z.number().int().min(1).default(3000).describe('Events accepted per client IP per minute'),
    perVisitorPerMinute: z.number().int().min(1).default(120).describe('Events accepted per visitor id per minute'),
    guideVisitsPerIpPerMinute: z.number().int().min(1).default(30),
    maxClockSkewSeconds: z.number().int().min(0).default(300).describe('How far in the future a client time may be'),
    maxAgeHours: z.number().int().min(1).default(72).describe('How old a client time may be'),
  })
  .strict();

export type IngestConfig = z.infer<typeof ingestConfigSchema>;
