import { z } from 'zod';
import { robotIdSchema } from '../core/ids.js';

const robotId = robotIdSchema;

const robotConfigSchema = z
  .object({
    id: robotId,
    name: z.string().max(60).optional().describe('Shown in the UI'),
    channel: z.enum(['wecom', 'dingtalk', 'feishu']),
    key: z.string().min(1).describe('WeCom key / DingTalk access_token / Feishu hook token; secret, never logged nor returned'),
    secret: z.string().min(1).optional().describe('DingTalk / Feishu signing secret; never logged nor returned'),
    mentions: z
      .object({
        userids: z.array(z.string().min(1)).max(50).default([]),
        mobiles: z.array(z.string().regex(/^\+?\d{5,20}$/)).max(50).default([]),
        all: z.boolean().default(false),
      })
      .strict()
      .prefault({})
      .describe('@mentions added to every warning this robot sends'),
  })
  .strict();

/** `alerts` section: the group robots (secrets), who gets what, and the delivery policy. */
export const alertsConfigSchema = z
  .object({
    robots: z.array(robotConfigSchema).max(200).default([]),
    hqRobots: z.array(robotId).default([]).describe('Robots of HQ: every warning and every failover notice'),
    branchRobots: z.record(z.string(), z.array(robotId)).default({}).describe('Branch id → robots for warnings about its accounts'),
    robotBaseUrls: z
      .object({ wecom: z.url(), dingtalk: z.url(), feishu: z.url() })
      .partial()
      .strict()
      .optional()
      .describe('Overrides the public robot hosts (e.g. the simulator)'),
    perRobotPerMinute: z.number().int().min(1).max(20).default(20).describe('Messages per robot per window, all processes together'),
    rateWindowMs: z.number().int().min(100).max(600_000).default(60_000).describe('Length of the per-robot window (60,000 = real)'),
    maxAttempts: z.number().int().min(1).max(30).default(8).describe('A message is marked failed after this many tries'),
    backoffBaseMs: z.number().int().min(10).default(30_000),
    backoffMaxMs: z.number().int().min(10).default(3_600_000),
    leaseMs: z.number().int().min(100).default(120_000).describe('A claimed message may be reclaimed after this (crashed worker)'),
    sendTimeoutMs: z.number().int().min(100).max(60_000).default(10_000),
    batchSize: z.number().int().min(1).max(500).default(50),
  })
  .strict()
  .superRefine((c, ctx) => {
    const ids = new Set<string>();
    c.robots.forEach((robot, i) => {
      if (ids.has(robot.id)) ctx.addIssue({ code: 'custom', message: `duplicate robot id ${robot.id}`, path: ['robots', i, 'id'] });
      ids.add(robot.id);
    });
    c.hqRobots.forEach((id, i) => {
      if (!ids.has(id)) ctx.addIssue({ code: 'custom', message: `unknown robot ${id}`, path: ['hqRobots', i] });
    });
    for (const [branch, list] of Object.entries(c.branchRobots)) {
      list.forEach((id, i) => {
        if (!ids.has(id)) ctx.addIssue({ code: 'custom', message: `unknown robot ${id}`, path: ['branchRobots', branch, i] });
      });
    }
  });

export type AlertsConfig = z.infer<typeof alertsConfigSchema>;
export type RobotConfig = z.infer<typeof robotConfigSchema>;
