/** What every fault scenario shares: the simulator's truth, the figures it prints, seeding, waiting. */
import type { Knex } from 'knex';
import { createWecomSimulator, type WecomSimulator, type WecomSimulatorOptions } from '../../../simulator/server.js';
import { TEST_WECOM } from '../../support/credentials.js';
import { bindPrimary, seedStore, setVisible } from '../../entry/fixtures.js';

export const PREFIX = '/plugins/wecom-store-service';
export const ROBOT_KEY = 'fault-suite-hq-robot';
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The plugin config every host of a scenario shares: one HQ robot on the simulator, 70 % warnings. */
export function hostConfig(simUrl: string, extra: Record<string, unknown> = {}) {
  return {
    capacity: { thresholds: [70], hardLevel: 95 },
    alerts: {
      robots: [{ id: 'hq', channel: 'wecom', key: ROBOT_KEY }],
      hqRobots: ['hq'],
      robotBaseUrls: { wecom: simUrl },
      backoffBaseMs: 200,
      backoffMaxMs: 1000,
      leaseMs: 3000,
      sendTimeoutMs: 2000,
    },
    ...extra,
  };
}

/** The simulator, sending callbacks to `callbackUrl` (a balancer in front of the hosts). */
export async function startScenarioSimulator(callbackBase: string, members: string[], options: WecomSimulatorOptions = {}): Promise<WecomSimulator> {
  const sim = await createWecomSimulator({
    corpId: TEST_WECOM.corpId,
    corpSecret: TEST_WECOM.corpSecret,
    callback: { url: `${callbackBase}${PREFIX}/wecom/callback`, token: TEST_WECOM.callbackToken, encodingAesKey: TEST_WECOM.callbackEncodingAesKey },
    callbackTimeoutMs: 3000,
    callbackRetryDelayMs: 500,
    members: members.map((userid) => ({ userid })),
    ...options,
  });
  await simCall(sim, 'POST', 'robots', { kind: 'wecom', key: ROBOT_KEY });
  return sim;
}

export async function simCall<T = any>(sim: WecomSimulator, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${sim.url}/sim/${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const parsed = (await response.json()) as T;
  if (!response.ok) throw new Error(`sim ${path}: ${response.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

/** A shown store per account, bound as primary, with the account's limit and starting count. */
export async function seedAccounts(knex: Knex, accounts: { userid: string; storeId: string; limit: number; count?: number }[]) {
  for (const a of accounts) {
    await seedStore(knex, { id: a.storeId });
    await bindPrimary(knex, a.storeId, a.userid);
    await knex('wss_wecom_accounts').where({ userid: a.userid }).update({ capacity_limit: a.limit, customer_count: a.count ?? 0 });
    await setVisible(knex, a.storeId, true);
  }
}

export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000, everyMs = 100): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return Date.now() - started;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export const liveCount = async (knex: Knex, userid: string) => Number((await knex('wss_wecom_accounts').where({ userid }).first('customer_count')).customer_count);

/** Customers the plugin holds as active, per account (the contact rows, not the count). */
export async function activeContacts(knex: Knex, userid: string): Promise<string[]> {
  return (await knex('wss_wecom_contacts').where({ account_userid: userid }).whereNull('deleted_at').orderBy('external_userid').pluck('external_userid')) as string[];
}

export const truthOf = (sim: WecomSimulator, userid: string) =>
  sim.state.relations.filter((r) => r.userid === userid).map((r) => r.external_userid).sort();

export interface CallbackFigures {
  sent: number;
  acknowledged: number;
  stored: number;
  duplicated: number;
  lost: number;
  /** Events identical to another of the same second (a delete repeated within one second): stored once. */
  indistinguishable: number;
}

/**
 * Callbacks the simulator sent (one per WeCom event, retries not counted), answered 200, stored by
 * the plugin, stored more than once, and not stored at all. Events identical in every field (the
 * same delete twice within a second) cannot be told from a retry: they count as indistinguishable.
 */
export async function callbackFigures(sim: WecomSimulator, knex: Knex): Promise<CallbackFigures> {
  const key = (e: { changeType: string; userid: string; externalUserId: string; createTime: number; welcomeCode?: string | null }) =>
    [e.changeType, e.userid, e.externalUserId, e.createTime, e.welcomeCode ?? ''].join('|');
  const sent = sim.callbacks.filter((c) => c.status !== 'skipped');
  const rows = (await knex('wss_wecom_callback_events').select('change_type', 'user_id', 'external_userid', 'create_time', 'welcome_code')) as {
    change_type: string; user_id: string; external_userid: string; create_time: string; welcome_code: string | null;
  }[];
  const stored = new Map<string, number>();
  for (const r of rows) {
    const k = key({ changeType: r.change_type, userid: r.user_id, externalUserId: r.external_userid, createTime: Number(r.create_time), welcomeCode: r.welcome_code });
    stored.set(k, (stored.get(k) ?? 0) + 1);
  }
  const wanted = new Map<string, number>();
  for (const c of sent) wanted.set(key(c), (wanted.get(key(c)) ?? 0) + 1);
  let lost = 0;
  let duplicated = 0;
  let indistinguishable = 0;
  for (const [k, n] of wanted) {
    const have = stored.get(k) ?? 0;
    if (have === 0) lost += n;
    else indistinguishable += Math.max(0, n - have);
  }
  for (const [k, n] of stored) duplicated += Math.max(0, n - (wanted.get(k) ?? 0));
  return { sent: sent.length, acknowledged: sent.filter((c) => c.status === 'delivered').length, stored: rows.length, duplicated, lost, indistinguishable };
}

/** Robot messages that are capacity warnings, by text (duplicates show as counts > 1). */
export function warningsReceived(sim: WecomSimulator): Map<string, number> {
  const seen = new Map<string, number>();
  for (const m of sim.state.robotMessages) if (m.key === ROBOT_KEY && m.content.includes('客户容量已达到')) seen.set(m.content.split('\n')[0], (seen.get(m.content.split('\n')[0]) ?? 0) + 1);
  return seen;
}

/** One line per scenario, for the note: `[fault-suite] <scenario> sent=… acknowledged=… …`. */
export function printFigures(scenario: string, figures: Record<string, number | string>): void {
  console.log(`[fault-suite] ${scenario} ${Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(' ')}`);
}

/** The table the recording jobs of scheduler-host.ts write to. */
export async function createJobRunsTable(knex: Knex): Promise<void> {
  await knex.schema.createTable('fault_job_runs', (t) => {
    t.bigIncrements('id');
    t.text('job_id').notNullable();
    t.text('host').notNullable();
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('finished_at', { useTz: true });
  });
}

export interface TickFigures {
  jobs: number;
  ticks: number;
  runs: number;
  /** Ticks of a job that ran more than once. */
  duplicated: number;
  /** Ticks of a job that did not run at all. */
  missed: number;
  /** Runs of a job that started before its previous run finished. */
  overlaps: number;
  byHost: string;
}

/** Runs per job and scheduled second inside [from, to) (whole seconds while every host was up). */
export async function tickFigures(knex: Knex, from: number, to: number): Promise<TickFigures> {
  const start = Math.ceil(from / 1000) * 1000;
  const end = Math.floor(to / 1000) * 1000;
  const rows = (await knex('fault_job_runs').orderBy('started_at').select('job_id', 'host', 'started_at', 'finished_at')) as {
    job_id: string; host: string; started_at: Date; finished_at: Date | null;
  }[];
  const jobs = [...new Set(rows.map((r) => r.job_id))];
  let duplicated = 0;
  let missed = 0;
  let overlaps = 0;
  let runs = 0;
  const hosts = new Map<string, number>();
  for (const job of jobs) {
    const mine = rows.filter((r) => r.job_id === job);
    for (let i = 1; i < mine.length; i += 1) if (!mine[i - 1].finished_at || mine[i].started_at < mine[i - 1].finished_at!) overlaps += 1;
    for (let second = start; second < end; second += 1000) {
      const inTick = mine.filter((r) => r.started_at.getTime() >= second && r.started_at.getTime() < second + 1000);
      runs += inTick.length;
      for (const r of inTick) hosts.set(r.host, (hosts.get(r.host) ?? 0) + 1);
      if (inTick.length === 0) missed += 1;
      duplicated += Math.max(0, inTick.length - 1);
    }
  }
  return { jobs: jobs.length, ticks: (jobs.length * (end - start)) / 1000, runs, duplicated, missed, overlaps, byHost: [...hosts].map(([h, n]) => `${h}:${n}`).join('/') };
}
