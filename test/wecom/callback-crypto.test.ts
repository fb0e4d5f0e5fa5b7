import { describe, expect, it } from 'vitest';
import { CallbackVerificationError, createCallbackCrypto } from '../../plugin/wecom-callbacks/callback-crypto.js';
import { buildEventXml, sealCallback } from '../../simulator/sealing.js';

// Official vector (wecom-api.md §6).
const VECTOR = {
  token: 'QDG6eK',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  corpId: 'wx5823bf96d3bd56c7',
  timestamp: '1409659589',
  nonce: '263014780',
  echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
  msg_signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
  plaintext: '1616140317555161061',
};

const reasonOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof CallbackVerificationError) return error.reason;
    throw error;
  }
  return 'accepted';
};

describe('callback crypto', () => {
  const crypto = createCallbackCrypto(VECTOR);

  it('verifies the official URL-check vector and returns the plaintext', () => {
    const { timestamp, nonce, echostr, msg_signature } = VECTOR;
    expect(crypto.verifyUrl({ msg_signature, timestamp, nonce, echostr })).toBe(VECTOR.plaintext);
  });

  it('rejects a forged signature, a wrong receive id and missing parameters', () => {
    const { timestamp, nonce, echostr } = VECTOR;
    expect(reasonOf(() => crypto.verifyUrl({ msg_signature: '0'.repeat(40), timestamp, nonce, echostr }))).toBe('bad_signature');
    expect(reasonOf(() => crypto.verifyUrl({ msg_signature: VECTOR.msg_signature, timestamp: '1409659590', nonce, echostr }))).toBe('bad_signature');
    const otherCorp = createCallbackCrypto({ ...VECTOR, corpId: 'wwsomeoneelse' });
    expect(reasonOf(() => otherCorp.verifyUrl({ msg_signature: VECTOR.msg_signature, timestamp, nonce, echostr }))).toBe('wrong_receive_id');
    expect(reasonOf(() => crypto.verifyUrl({ timestamp, nonce, echostr }))).toBe('missing_parameters');
  });

  it('opens a sealed change_external_contact event', () => {
    const xml = buildEventXml({
      ToUserName: VECTOR.corpId, FromUserName: 'sys', CreateTime: 1700000000, MsgType: 'event', Event: 'change_external_contact',
      ChangeType: 'add_external_contact', UserID: 'zhangsan', ExternalUserID: 'wmABC', State: 'store-12<&>', WelcomeCode: 'WC1',
    });
    const sealed = sealCallback(VECTOR, xml);
    const event = crypto.openEvent(sealed.query, sealed.body);
    expect(event).toMatchObject({
      toUserName: VECTOR.corpId, createTime: 1700000000, event: 'change_external_contact', changeType: 'add_external_contact',
      userId: 'zhangsan', externalUserId: 'wmABC', state: 'store-12<&>', welcomeCode: 'WC1',
    });
  });

  it('rejects tampered envelopes, foreign corps and malformed XML', () => {
    const xml = buildEventXml({ ToUserName: VECTOR.corpId, CreateTime: 1700000000, MsgType: 'event', Event: 'change_external_contact' });
    const sealed = sealCallback(VECTOR, xml);
    expect(reasonOf(() => crypto.openEvent({ ...sealed.query, nonce: '1' }, sealed.body))).toBe('bad_signature');
    expect(reasonOf(() => crypto.openEvent(sealed.query, '<xml><Encrypt>oops'))).toBe('malformed_xml');
    expect(reasonOf(() => crypto.openEvent(sealed.query, '<xml><ToUserName>x</ToUserName></xml>'))).toBe('malformed_xml');
    const foreign = sealCallback({ ...VECTOR, corpId: 'wwforeign' }, xml);
    expect(reasonOf(() => crypto.openEvent(foreign.query, foreign.body))).toBe('wrong_receive_id');
    const garbage = sealCallback(VECTOR, 'not xml at all <');
    expect(reasonOf(() => crypto.openEvent(garbage.query, garbage.body))).toBe('malformed_xml');
  });
});
