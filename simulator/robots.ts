/** Group-robot webhooks of WeCom, DingTalk and Feishu: signature checks, frequency limits, recording. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import type { SimContext } from './context.js';
import { wecomErrmsg } from './errors.js';
import { queryString, readJsonBody } from './http-utils.js';
import { WindowCounter } from './rate-window.js';
import { counterFor, type PathFault, type RobotKind, type SimRobot } from './state.js';

const MINUTE = 60_000;

export function robotId(kind: RobotKind, key: string): string {
  return `${kind}:${key}`;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

type Reply = Record<string, unknown>;

export function createRobotApi(sim: SimContext) {
  const windows = sim.state.windows;
  const scale = () => sim.options.robotWindowScale;
  const hits = (id: string, windowMs: number) => {
    const name = `${id}@${windowMs}`;
    let window = windows.get(name);
    if (!window) {
      window = new WindowCounter(windowMs * scale());
      windows.set(name, window);
    }
    return window;
  };

  function record(robot: SimRobot, msgtype: string, content: string, body: unknown): void {
    sim.state.robotMessages.push({ id: sim.state.robotMessages.length + 1, kind: robot.kind, key: robot.key, at: new Date().toISOString(), msgtype, content, body });
  }

  function wecom(key: string | undefined, body: Reply | undefined): Reply {
    const robot = key ? sim.state.robots.get(robotId('wecom', key)) : undefined;
    if (!robot) return { errcode: 93000, errmsg: wecomErrmsg(93000) };
    if (!body) return { errcode: 40058, errmsg: wecomErrmsg(40058, 'invalid json body') };
    const msgtype = body.msgtype;
    const limits: Record<string, number> = { text: 2048, markdown: 4096, markdown_v2: 4096 };
    let content = '';
    if (typeof msgtype === 'string' && msgtype in limits) {
      const part = body[msgtype] as { content?: unknown } | undefined;
      if (typeof part?.content !== 'string' || part.content.length === 0) return { errcode: 40058, errmsg: wecomErrmsg(40058, 'content is empty') };
      if (Buffer.byteLength(part.content) > limits[msgtype]) return { errcode: 40058, errmsg: wecomErrmsg(40058, `content exceed max length ${limits[msgtype]}`) };
      content = part.content;
    } else if (!['image', 'news', 'file', 'voice', 'template_card'].includes(String(msgtype))) {
      return { errcode: 40008, errmsg: wecomErrmsg(40008) };
    }
    const window = hits(robotId('wecom', robot.key), MINUTE);
    if (window.count() >= 20) return { errcode: 45009, errmsg: wecomErrmsg(45009) };
    window.add();
    record(robot, String(msgtype), content || JSON.stringify(body[String(msgtype)]), body);
    return { errcode: 0, errmsg: 'ok' };
  }

  function dingtalk(ctx: Context, body: Reply | undefined): Reply {
    const token = queryString(ctx, 'access_token');
    const robot = token ? sim.state.robots.get(robotId('dingtalk', token)) : undefined;
    if (!robot) return { errcode: 300005, errmsg: 'token is not exist' };
    if (robot.secret) {
      const timestamp = queryString(ctx, 'timestamp') ?? '';
      const sign = queryString(ctx, 'sign') ?? '';
      const expected = createHmac('sha256', robot.secret).update(`${timestamp}\n${robot.secret}`).digest('base64');
      if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() - Number(timestamp)) > 3_600_000) {
        return { errcode: 310000, errmsg: 'sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]' };
      }
      if (!sameText(sign, expected)) return { errcode: 310000, errmsg: 'sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]' };
    }
    const now = Date.now();
    if (robot.throttledUntil && robot.throttledUntil > now) return { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' };
    const window = hits(robotId('dingtalk', robot.key), MINUTE);
    if (window.count() >= 20) {
      robot.throttledUntil = now + 10 * MINUTE * scale();
      return { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' };
    }
    const msgtype = String(body?.msgtype ?? '');
    const part = body?.[msgtype] as { content?: unknown; text?: unknown } | undefined;
    const content = typeof part?.content === 'string' ? part.content : typeof part?.text === 'string' ? part.text : '';
    if (!body || !['text', 'markdown', 'link', 'actionCard', 'feedCard'].includes(msgtype)) return { errcode: 40035, errmsg: '缺少参数 json' };
    if ((msgtype === 'text' || msgtype === 'markdown') && !content) return { errcode: 40035, errmsg: '缺少参数 content' };
    window.add();
    record(robot, msgtype, content, body);
    return { errcode: 0, errmsg: 'ok' };
  }

  function feishu(token: string, body: Reply | undefined): Reply {
    const robot = sim.state.robots.get(robotId('feishu', token));
    if (!robot) return { code: 19001, msg: 'param invalid: incoming webhook access token invalid', data: {} };
    if (!body) return { code: 19002, msg: 'params error', data: {} };
    if (robot.secret) {
      const timestamp = String(body.timestamp ?? '');
      const expected = createHmac('sha256', `${timestamp}\n${robot.secret}`).update('').digest('base64');
      const fresh = /^\d+$/.test(timestamp) && Math.abs(Date.now() / 1000 - Number(timestamp)) <= 3600;
      if (!fresh || typeof body.sign !== 'string' || !sameText(body.sign, expected)) {
        return { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time', data: {} };
      }
    }
    const perSecond = hits(robotId('feishu', robot.key), 1000);
    const perMinute = hits(robotId('feishu', robot.key), MINUTE);
    if (perSecond.count() >= 5 || perMinute.count() >= 100) {
      return { code: 11232, msg: 'frequency limited psm[lark.oapi.app_platform_runtime]appID[1]', data: {} };
    }
    const msgType = String(body.msg_type ?? '');
    if (!['text', 'post', 'image', 'share_chat', 'interactive'].includes(msgType)) return { code: 19002, msg: 'params error, msg_type need', data: {} };
    const text = (body.content as { text?: unknown } | undefined)?.text;
    if (msgType === 'text' && (typeof text !== 'string' || !text)) return { code: 19002, msg: 'params error, content.text need', data: {} };
    perSecond.add();
    perMinute.add();
    record(robot, msgType, typeof text === 'string' ? text : JSON.stringify(body.content ?? body.card ?? null), body);
    return { StatusCode: 0, StatusMessage: 'success', code: 0, msg: 'success', data: {} };
  }

  function count(path: string, reply: Reply): void {
    const counter = counterFor(sim.state, path);
    counter.calls += 1;
    const code = Number(reply.errcode ?? reply.code ?? 0);
    if (code === 0) counter.ok += 1;
    else counter.errors[String(code)] = (counter.errors[String(code)] ?? 0) + 1;
  }

  /** A refusal injected through POST /sim/faults, before the robot looks at the message. */
  function injectedRefusal(kind: RobotKind, fault: PathFault | undefined): Reply | 'http_5xx' | undefined {
    if (fault?.http5xxRemaining) {
      fault.http5xxRemaining -= 1;
      return 'http_5xx';
    }
    if (fault?.errcodeRemaining && fault.errcode !== undefined) {
      fault.errcodeRemaining -= 1;
      return kind === 'feishu' ? { code: fault.errcode, msg: 'injected fault', data: {} } : { errcode: fault.errcode, errmsg: 'injected fault' };
    }
    return undefined;
  }

  function route(ctx: Context): { kind: RobotKind; path: string } | undefined {
    if (ctx.method !== 'POST') return undefined;
    if (ctx.path === '/cgi-bin/webhook/send') return { kind: 'wecom', path: ctx.path };
    if (ctx.path === '/robot/send') return { kind: 'dingtalk', path: ctx.path };
    if (/^\/open-apis\/bot\/v2\/hook\/[^/]+$/.test(ctx.path)) return { kind: 'feishu', path: '/open-apis/bot/v2/hook' };
    return undefined;
  }

  return {
    /**
     * Faults (`POST /sim/faults` with a robot path): `http5xx` and `errcode` refuse before the message
     * is looked at; `latencyMs` delays the answer after the message was taken; `dropAnswers` takes
     * the message and closes the connection without answering.
     */
    async middleware(ctx: Context, next: () => Promise<unknown>): Promise<void> {
      const target = route(ctx);
      if (!target) return void (await next());
      const body = await readJsonBody(ctx);
      const fault = sim.state.faults.get(target.path);
      const refusal = injectedRefusal(target.kind, fault);
      if (refusal === 'http_5xx') {
        const counter = counterFor(sim.state, target.path);
        counter.calls += 1;
        counter.errors.http_5xx = (counter.errors.http_5xx ?? 0) + 1;
        ctx.status = 502;
        ctx.type = 'text/html';
        ctx.body = '<html><body><h1>502 Bad Gateway</h1></body></html>';
        return;
      }
      let reply: Reply;
      if (refusal) reply = refusal;
      else if (target.kind === 'wecom') reply = wecom(queryString(ctx, 'key'), body);
      else if (target.kind === 'dingtalk') reply = dingtalk(ctx, body);
      else reply = feishu(decodeURIComponent(ctx.path.split('/').pop() ?? ''), body);
      count(target.path, reply);
      if (fault?.latencyMs) await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
      if (fault?.dropAnswersRemaining) {
        fault.dropAnswersRemaining -= 1;
        ctx.respond = false;
        ctx.req.socket.destroy();
        return;
      }
      ctx.type = 'application/json';
      ctx.body = reply;
    },
  };
}
