import { z } from 'zod';

/** `reviews` section: which robot messages the HQ review workflow sends, and how often. */
export const reviewsConfigSchema = z
  .object({
    hqDigest: z
      .object({
        enabled: z.boolean().default(true).describe('Tell HQ robots when branches submit bindings'),
        intervalMinutes: z.number().int().min(1).max(1440).default(30).describe('At most one digest per this many minutes'),
      })
      .strict()
      .prefault({}),
    branchDecisions: z
      .object({ enabled: z.boolean().default(true).describe("Tell a branch's robots when HQ approves or returns its stores") })
      .strict()
      .prefault({}),
    rolloutDigest: z
      .object({ enabled: z.boolean().default(false).describe("Job rollout-digest sends each branch's robots its binding rate, pending reviews and unbound stores") })
      .strict()
      .prefault({}),
    reviewPageUrl: z.url().optional().describe("The host's review queue page, linked from HQ digests"),
  })
  .strict();

export type ReviewsConfig = z.infer<typeof reviewsConfigSchema>;
