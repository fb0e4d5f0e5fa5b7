import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBindingsWorld, upload, waitForImport, type BindingsWorld } from '../bindings/helpers.js';
import { ACTORS } from '../support/plugin-app.js';
import { dayBatches, dayRange, daySchema } from '../../plugin/core/days.js';

// Bad input a careless user or an attacker sends: each gets a 400 with a code, never a 500 or a hang.
let world: BindingsWorld;
beforeAll(async () => {
  world = await startBindingsWorld();
});
afterAll(() => world?.close());

const call = (path: string, opts: { method?: string; body?: string; actor?: (typeof ACTORS)[keyof typeof ACTORS] } = {}) =>
  world.plugin.request(path, { actor: opts.actor ?? ACTORS.hq, method: opts.method, body: opts.body, headers: opts.body !== undefined ? { 'Content-Type': 'application/json' } : {} });

describe('dates', () => {
  it('never steps past the bounded calendar (the day after 9999-12-31 used to sort before it)', () => {
    expect(daySchema.safeParse('9999-12-31').success).toBe(false);
    expect(daySchema.safeParse('1999-12-31').success).toBe(false);
    expect(daySchema.safeParse('2026-02-29').success).toBe(false);
    expect(daySchema.safeParse('2028-02-29').success).toBe(true);
    expect(() => dayRange('9999-12-01', '9999-12-31')).toThrow(RangeError);
    expect(() => dayRange('2000-01-01', '2099-12-31')).toThrow(RangeError);
    expect(dayRange('2099-12-30', '2099-12-31')).toEqual(['2099-12-30', '2099-12-31']);
    expect(dayRange('2026-03-02', '2026-03-01')).toEqual([]);
    expect(dayBatches({ from: '2026-01-30', to: '2026-02-03' }, 2)).toEqual([
      { from: '2026-01-30', to: '2026-01-31' }, { from: '2026-02-01', to: '2026-02-02' }, { from: '2026-02-03', to: '2026-02-03' },
    ]);
  });

  it.each([
    '/stats/overview?from=9999-12-01&to=9999-12-31',
    '/stats/overview?to=9999-12-31',
    '/stats/stores/S101?from=9999-12-30&to=9999-12-31',
    '/stats/export.csv?from=9999-12-30&to=9999-12-31',
    '/stats/export.xlsx?from=2026-01-02&to=2026-01-01',
    '/stats/overview?from=2020-01-01&to=2026-01-01',
    '/operation-log?from=2026-01-01&to=9999-12-31',
    '/exports/operation-log?from=0000-01-01',
  ])('%s → 400 with the bad field named', async (path) => {
    const res = await call(path);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(Object.keys(res.body.error.details.fields).some((f) => f === 'from' || f === 'to')).toBe(true);
  });
});

describe('JSON bodies', () => {
  it.each([
    ['{"userid":', 'malformed_json'],
    ['null', 'body_not_object'],
    ['"x"', 'body_not_object'],
    ['5', 'body_not_object'],
    ['[]', 'body_not_object'],
    ['true', 'body_not_object'],
    ['{"__proto__":{"role":"primary"},"userid":"u_s101"}', 'forbidden_key'],
    ['{"userid":"u_s101","x":{"constructor":{"prototype":1}}}', 'forbidden_key'],
    [`{"userid":"u_s101","reason":${'['.repeat(40)}${']'.repeat(40)}}`, 'body_too_deep'],
    ['{"userid":"u_s101","reason":"a\\u0000b"}', 'control_character'],
    ['{"userid":"u_s101","reason":"a\\u001bb"}', 'control_character'],
  ])('%s → 400 %s on every admin JSON route', async (body, code) => {
    for (const [method, path] of [['POST', '/stores/S101/bindings'], ['PUT', '/stores/S101/primary'], ['PUT', '/accounts/u_s101/sharing'], ['PUT', '/stores/S101/entry'], ['POST', '/entries/visibility'], ['POST', '/reviews/decisions'], ['PUT', '/capacity/accounts/1/limit']]) {
      const res = await call(path, { method, body });
      expect([res.status, res.body.error?.code], `${method} ${path}`).toEqual([400, code]);
    }
    const visit = await world.plugin.request('/public/guide-visits', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    expect([visit.status, visit.body.error?.code]).toEqual([400, code]);
  });

  it('keeps a multi-line reason (line breaks are text, not control characters)', async () => {
    const res = await call('/stores/S102/bindings', { method: 'POST', body: JSON.stringify({ userid: 'u_s102', role: 'primary', reason: '第一行\n第二行' }) });
    expect(res.status).toBe(200);
  });
});

describe('control characters in paths, queries, file names and cells', () => {
  it.each([
    '/stores/S1%0001/bindings',
    '/stores/S101%1B/history',
    '/stores?q=a%00b',
    '/capacity/accounts?q=%00',
    '/members?q=%07',
    '/accounts/u%00x/check',
    '/alerts/deliveries?kind=%00',
    '/operation-log?actorId=a%00',
    '/stats/stores/S1%00',
    '/imports/%00',
    '/public/entry/S1%00',
    '/public/guide?store=S1%00',
    '/public/guide-visits/gv%00',
    '/stores?q%00=1',
  ])('%s → 400 control_character', async (path) => {
    const res = await call(path);
    expect([res.status, res.body.error?.code]).toEqual([400, 'control_character']);
  });

  it('a malformed percent-encoding is a 400, not a 500', async () => {
    const res = await call('/stores/%E0%A4%A/bindings');
    expect(res.status).toBe(400);
  });

  it('refuses an import file name or cell with a control character, naming the row', async () => {
    const name = await upload(world.plugin, ACTORS.hq, 'a\u0000.csv', '门店编号,企微账号\nS101,u_s101\n');
    expect([name.status, name.body.error.code]).toEqual([400, 'control_character']);
    const cell = await upload(world.plugin, ACTORS.hq, 'a.csv', '门店编号,企微账号\nS101,u_s101\nS102,"u\u0000x"\n');
    expect([cell.status, cell.body.error.code]).toEqual([400, 'control_character']);
    expect(cell.body.error.details.fields).toHaveProperty('row 3');
  });
});

describe('errors the client sees', () => {
  it('a failed import validation shows a generic message; the SQL goes to the log only', async () => {
    await world.db.knex.raw('ALTER TABLE wss_store_accounts RENAME TO wss_store_accounts_away');
    try {
      const res = await upload(world.plugin, ACTORS.hq, 'a.csv', '门店编号,企微账号\nS103,u_s103\n');
      expect(res.status).toBe(202);
      const job = await waitForImport(world.plugin, res.body.id, ACTORS.hq);
      expect(job.status).toBe('failed');
      expect(job.error).not.toMatch(/select|relation|wss_|from /i);
      expect(job.error).toContain('校验失败');
    } finally {
      await world.db.knex.raw('ALTER TABLE wss_store_accounts_away RENAME TO wss_store_accounts');
    }
  });
});
