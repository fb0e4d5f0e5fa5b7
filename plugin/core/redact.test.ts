import { describe, expect, it } from 'vitest';
import { createRedactingLogger, REDACTED, redactText, redactValue } from './redact.js';

describe('redactText: query secrets', () => {
  it('redacts corpsecret and keeps the other parameters', () => {
    expect(redactText('GET https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=ww123&corpsecret=Zx9-abc_DEF&debug=1')).toBe(
      `GET https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=ww123&corpsecret=${REDACTED}&debug=1`,
    );
  });

  it.each([
    ['access_token=tok.123&x=1', `access_token=${REDACTED}&x=1`],
    ['/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa', `/cgi-bin/webhook/send?key=${REDACTED}`],
    ['?timestamp=1&sign=abc%2Bdef%3D', `?timestamp=1&sign=${REDACTED}`],
    ['secret=hunter22 next', `secret=${REDACTED} next`],
    ['ACCESS_TOKEN=UPPER', `ACCESS_TOKEN=${REDACTED}`],
    ['"url":"/x?access_token=abc"', `"url":"/x?access_token=${REDACTED}"`],
    ["'?key=abc'", `'?key=${REDACTED}'`],
    ['?access_token=abc#frag', `?access_token=${REDACTED}#frag`],
  ])('%s', (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  it('redacts every occurrence', () => {
    expect(redactText('a?access_token=one b?access_token=two')).toBe(`a?access_token=${REDACTED} b?access_token=${REDACTED}`);
  });

  it('does not touch names that only end with a secret word', () => {
    expect(redactText('monkey=banana&design=flat')).toBe('monkey=banana&design=flat');
  });
});

describe('redactText: JSON secrets', () => {
  it('redacts the value of secret JSON fields and keeps the rest', () => {
    expect(redactText('{"errcode":0,"access_token":"abcDEF123","expires_in":7200}')).toBe(`{"errcode":0,"access_token":"${REDACTED}","expires_in":7200}`);
    expect(redactText('{"corpsecret" : "s1", "Secret":"s2", "sign": "s3", "name":"n"}')).toBe(
      `{"corpsecret" : "${REDACTED}", "Secret":"${REDACTED}", "sign": "${REDACTED}", "name":"n"}`,
    );
  });

  it('redacts an empty JSON secret without eating the next field', () => {
    expect(redactText('{"secret":"","a":"b"}')).toBe(`{"secret":"${REDACTED}","a":"b"}`);
  });
});

describe('redactText: Feishu hooks', () => {
  it('redacts the hook token in the path', () => {
    expect(redactText('POST https://open.feishu.cn/open-apis/bot/v2/hook/3f1c2a9e-aaaa-bbbb-cccc-1234567890ab failed')).toBe(
      `POST https://open.feishu.cn/open-apis/bot/v2/hook/${REDACTED} failed`,
    );
    expect(redactText('/open-apis/bot/v2/hook/tok123?x=1')).toBe(`/open-apis/bot/v2/hook/${REDACTED}?x=1`);
  });
});

describe('redactText: explicit secrets', () => {
  it('redacts each known secret wherever it appears', () => {
    expect(redactText('boom: Zx9abcDEF then Zx9abcDEF; also tok-777777', ['Zx9abcDEF', 'tok-777777'])).toBe(`boom: ${REDACTED} then ${REDACTED}; also ${REDACTED}`);
  });

  it('redacts the URL-encoded form too', () => {
    const secret = 'a/b+c=d&e';
    expect(redactText(`raw ${secret} encoded ${encodeURIComponent(secret)}`, [secret])).toBe(`raw ${REDACTED} encoded ${REDACTED}`);
    expect(encodeURIComponent(secret)).toBe('a%2Fb%2Bc%3Dd%26e');
  });

  it('does not redact secrets shorter than 6 characters (they would match ordinary text)', () => {
    expect(redactText('the abc12 value', ['abc12', ''])).toBe('the abc12 value');
    expect(redactText('the abc123 value', ['abc123'])).toBe(`the ${REDACTED} value`);
  });

  it('accepts any iterable of secrets', () => {
    expect(redactText('xx secret-one xx', new Set(['secret-one']))).toBe(`xx ${REDACTED} xx`);
  });
});

describe('redactValue', () => {
  it('redacts strings inside nested objects and arrays without changing the input', () => {
    const input = { url: '/gettoken?corpsecret=abc', nested: { list: ['ok', 'token value sekret-123', { deeper: 'access_token=t1' }] }, n: 5, b: true, nil: null };
    const copy = structuredClone(input);
    expect(redactValue(input, ['sekret-123'])).toEqual({
      url: `/gettoken?corpsecret=${REDACTED}`,
      nested: { list: ['ok', `token value ${REDACTED}`, { deeper: `access_token=${REDACTED}` }] },
      n: 5,
      b: true,
      nil: null,
    });
    expect(input).toEqual(copy);
  });

  it('redacts string fields named like secrets, whatever their value', () => {
    expect(redactValue({ access_token: 'a', corpsecret: 'b', corpSecret: 'c', secret: 'd', key: 'e', sign: 'f', token: 'g', name: 'h' })).toEqual({
      access_token: REDACTED,
      corpsecret: REDACTED,
      corpSecret: REDACTED,
      secret: REDACTED,
      key: REDACTED,
      sign: REDACTED,
      token: REDACTED,
      name: 'h',
    });
  });

  it('keeps non-string values of secret-named fields but still redacts inside them', () => {
    expect(redactValue({ token: 42, key: { url: '?key=abc' } })).toEqual({ token: 42, key: { url: `?key=${REDACTED}` } });
  });

  it('turns an Error into a redacted "name: message" string', () => {
    const error = new TypeError('fetch /gettoken?corpsecret=abc failed for sekret-123');
    expect(redactValue(error, ['sekret-123'])).toBe(`TypeError: fetch /gettoken?corpsecret=${REDACTED} failed for ${REDACTED}`);
    expect(redactValue({ errors: [new Error('access_token=x')] })).toEqual({ errors: [`Error: access_token=${REDACTED}`] });
  });

  it('passes primitives through', () => {
    expect(redactValue(7)).toBe(7);
    expect(redactValue(undefined)).toBeUndefined();
    expect(redactValue(null)).toBeNull();
    expect(redactValue('plain')).toBe('plain');
  });
});

describe('createRedactingLogger', () => {
  type Call = [level: string, message: string, meta: Record<string, unknown> | undefined];
  const capture = () => {
    const calls: Call[] = [];
    const logger = {
      debug: (m: string, meta?: Record<string, unknown>) => calls.push(['debug', m, meta]),
      info: (m: string, meta?: Record<string, unknown>) => calls.push(['info', m, meta]),
      warn: (m: string, meta?: Record<string, unknown>) => calls.push(['warn', m, meta]),
      error: (m: string, meta?: Record<string, unknown>) => calls.push(['error', m, meta]),
    };
    return { calls, logger };
  };

  it('never passes a secret through message or meta at any level', () => {
    const { calls, logger } = capture();
    const secret = 'Zx9/secret+value';
    const log = createRedactingLogger(logger, () => [secret]);
    const meta = { url: `/gettoken?corpsecret=${encodeURIComponent(secret)}`, body: { access_token: 'tok-abcdef' }, err: new Error(`bad ${secret}`), list: [secret] };
    log.debug(`debug ${secret}`, meta);
    log.info(`info /x?access_token=tok-abcdef`, meta);
    log.warn(`warn ${encodeURIComponent(secret)}`, meta);
    log.error(`error {"secret":"${secret}"}`, meta);
    expect(calls.map((c) => c[0])).toEqual(['debug', 'info', 'warn', 'error']);
    const written = JSON.stringify(calls);
    expect(written).not.toContain(secret);
    expect(written).not.toContain(encodeURIComponent(secret));
    expect(written).not.toContain('tok-abcdef');
    expect(calls[0][1]).toBe(`debug ${REDACTED}`);
    expect(calls[1][2]).toEqual({ url: `/gettoken?corpsecret=${REDACTED}`, body: { access_token: REDACTED }, err: `Error: bad ${REDACTED}`, list: [REDACTED] });
  });

  it('reads the secrets at each call, so a secret learned later is redacted', () => {
    const { calls, logger } = capture();
    const secrets: string[] = [];
    const log = createRedactingLogger(logger, () => secrets);
    log.info('token new-token-1');
    secrets.push('new-token-1');
    log.info('token new-token-1');
    expect(calls.map((c) => c[1])).toEqual(['token new-token-1', `token ${REDACTED}`]);
  });

  it('passes no meta when none is given', () => {
    const { calls, logger } = capture();
    createRedactingLogger(logger, () => []).warn('plain');
    expect(calls).toEqual([['warn', 'plain', undefined]]);
  });

  it('drops debug when the logger has none, and is silent without a logger', () => {
    const calls: string[] = [];
    const log = createRedactingLogger({ info: (m) => calls.push(m), warn: (m) => calls.push(m), error: (m) => calls.push(m) }, () => []);
    expect(() => log.debug('d')).not.toThrow();
    log.info('i');
    expect(calls).toEqual(['i']);
    const silent = createRedactingLogger(undefined, () => []);
    expect(() => {
      silent.debug('d');
      silent.info('i');
      silent.warn('w');
      silent.error('e');
    }).not.toThrow();
  });

  it('keeps the logger as `this`', () => {
    const target = {
      lines: [] as string[],
      info(m: string) {
        this.lines.push(m);
      },
      warn() {},
      error() {},
    };
    createRedactingLogger(target, () => []).info('hello');
    expect(target.lines).toEqual(['hello']);
  });
});

describe('redactValue at depth', () => {
  it('never passes on what it does not walk: deep values are truncated, not copied through', () => {
    const deep = { a: { b: { c: { d: { e: { f: { g: { h: 'access_token=LEAK', s: 'mysecretvalue' } } } } } } } };
    const out = JSON.stringify(redactValue(deep, ['mysecretvalue']));
    expect(out).not.toContain('LEAK');
    expect(out).not.toContain('mysecretvalue');
    expect(out).toContain('[Truncated]');
    expect(JSON.stringify(redactValue([[[[[[[['key=LEAK']]]]]]]]))).not.toContain('LEAK');
  });

  it('keeps dates readable', () => {
    expect(redactValue({ at: new Date('2026-12-02T00:00:00Z') })).toEqual({ at: '2026-12-02T00:00:00.000Z' });
  });
});
