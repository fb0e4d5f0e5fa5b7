import { z } from 'zod';

/** The default warning text HQ asked for, with `{level}` the threshold that was reached. */
export const DEFAULT_CAPACITY_TEMPLATE = '{账号名称}(账号:{userid})客户容量已达到{level}%,请及时处理。';
/** Appended on its own line when there is a forecast (the account is growing). */
export const DEFAULT_FORECAST_TEMPLATE = '{forecast}';

/** `capacity` section of the plugin config: thresholds, hysteresis, failover level, templates. */
export const capacityConfigSchema = z
  .object({
    thresholds: z
      .array(z.number().int().min(1).max(100))
      .min(1)
      .max(10)
      .default([70])
      .describe('Warning levels in percent of each account limit, e.g. [70, 85, 95]'),
    rearmMargin: z
      .number()
      .min(0)
      .max(50)
      .default(5)
      .describe('A level re-arms only after the fill falls this many percentage points below it'),
    hardLevel: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(95)
      .describe('At this fill new customers go to the store backup account (or the entry hides)'),
    forecastWindowDays: z.number().int().min(1).max(90).default(7).describe('Recent days the add rate is measured over'),
    template: z
      .string()
      .min(1)
      .max(1000)
      .default(DEFAULT_CAPACITY_TEMPLATE)
      .describe('Placeholders: {name} {userid} {store} {branch} {count} {limit} {percent} {level} {forecast} (and {账号名称})'),
    forecastTemplate: z
      .string()
      .max(500)
      .default(DEFAULT_FORECAST_TEMPLATE)
      .describe('Second line when a forecast exists; empty to leave it out'),
  })
  .strict()
  .refine((c) => new Set(c.thresholds).size === c.thresholds.length, { message: 'thresholds must be distinct', path: ['thresholds'] });

export type CapacityConfig = z.infer<typeof capacityConfigSchema>;
