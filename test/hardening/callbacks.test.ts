import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { getSignature, encrypt } from '@wecom/crypto';
import { startBindingsWorld, SIM_CORP, type BindingsWorld } from '../bindings/helpers.js';
import { TEST_CALLBACK_SECRETS } from '../support/credentials.js';
import { buildEventXml, sealCallback } from '../../simulator/sealing.js';
import { createCallbackCrypto, CallbackVerificationError } from '../../plugin/wecom-callbacks/callback-crypto.js';

// Callbacks forged or malformed in every way WeCom never sends: 400 before anything is stored.
let world: BindingsWorld;
const SECRETS = { ...TEST_CALLBACK_SECRETS, corpId: SIM_CORP };
beforeAll(async () => {
  world = await startBindingsWorld();
});
afterAll(() => world?.close());

const callbackUrl = () => `${world.plugin.url}${world.plugin.service.config.routesPrefix}/wecom/callback`;
const post = async (query: Record<string, string>, body: string) => {
  const res = await fetch(`${callbackUrl()}?${new URLSearchParams(query)}`, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body });
  const text = await res.text();
  return { status: res.status, text };
};
const stored = async () => Number((await world.db.knex('wss_wecom_callback_events').count({ n: '*' }))[0].n);
const eventXml = (fields: Record<string, string | number>) =>
  buildEventXml({ ToUserName: SIM_CORP, FromUserName: 'sys', MsgType: 'event', Event: 'change_external_contact', ChangeType: 'add_external_contact', UserID: 'u_s101', ExternalUserID: 'wmHARD', CreateTime: Math.floor(Date.now() / 1000), ...fields });
/** Signs an arbitrary envelope around a real ciphertext (the signature covers only the ciphertext). */
const signedEnvelope = (xml: string, envelope: (cipher: string) => string, now = new Date()) => {
  const cipher = encrypt(SECRETS.encodingAesKey, xml, SECRETS.corpId);
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const nonce = '12345';
  return { query: { msg_signature: getSignature(SECRETS.token, timestamp, nonce, cipher), timestamp, nonce }, body: envelope(cipher) };
};

describe('callback envelopes', () => {
  const lol = '<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>';
  it.each([
    ['DOCTYPE', (c: string) => `<!DOCTYPE xml><xml><Encrypt><![CDATA[${c}]]></Encrypt></xml>`],
    ['entity flood', (c: string) => `${lol}<xml><ToUserName>&c;&c;&c;</ToUserName><Encrypt><![CDATA[${c}]]></Encrypt></xml>`],
    ['external entity', (c: string) => `<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><A>&x;</A><Encrypt><![CDATA[${c}]]></Encrypt></xml>`],
    ['undefined entity', (c: string) => `<xml><A>&nope;</A><Encrypt><![CDATA[${c}]]></Encrypt></xml>`],
    ['deep nesting', (c: string) => `<xml>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}<Encrypt><![CDATA[${c}]]></Encrypt></xml>`],
    ['<__proto__>', (c: string) => `<xml><__proto__><Encrypt>x</Encrypt></__proto__><Encrypt><![CDATA[${c}]]></Encrypt></xml>`],
    ['a repeated <Encrypt>', (c: string) => `<xml><Encrypt><![CDATA[${c}]]></Encrypt><Encrypt>x</Encrypt></xml>`],
    ['processing instruction', (c: string) => `<xml><?php echo 1 ?><Encrypt><![CDATA[${c}]]></Encrypt></xml>`],
    ['no <xml> root', (c: string) => `<root><Encrypt><![CDATA[${c}]]></Encrypt></root>`],
    ['unclosed', (c: string) => `<xml><Encrypt><![CDATA[${c}]]></Encrypt>`],
  ])('%s → 400 wecom_callback_rejected, nothing stored, even when signed', async (_name, envelope) => {
    const before = await stored();
    const { query, body } = signedEnvelope(eventXml({}), envelope);
    const res = await post(query, body);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error.code).toBe('wecom_callback_rejected');
    expect(await stored()).toBe(before);
  });

  it.each([
    ['a huge CreateTime', { CreateTime: '99999999999999999999' }],
    ['a fractional CreateTime', { CreateTime: '1700000000.5' }],
    ['a negative CreateTime', { CreateTime: '-5' }],
    ['a CreateTime next year', { CreateTime: String(Math.floor(Date.now() / 1000) + 400 * 86_400) }],
    ['a CreateTime in 1990', { CreateTime: '631152000' }],
    ['no CreateTime', { CreateTime: '' }],
    ['DOCTYPE in the decrypted XML', { raw: '<!DOCTYPE xml [<!ENTITY e "x">]><xml><CreateTime>1700000000</CreateTime><State>&e;</State></xml>' }],
  ])('a signed event with %s → 400, nothing stored', async (_name, change) => {
    const before = await stored();
    const xml = 'raw' in change ? change.raw! : eventXml({ CreateTime: change.CreateTime! });
    const sealed = sealCallback(SECRETS, xml);
    const res = await post(sealed.query, sealed.body);
    expect(res.status).toBe(400);
    expect(await stored()).toBe(before);
  });

  it('refuses a stale or future query timestamp and an upper-case signature; a fresh exact one is applied', async () => {
    const before = await stored();
    const old = sealCallback(SECRETS, eventXml({ ExternalUserID: 'wmOLD' }), new Date(Date.now() - 10 * 60_000));
    expect((await post(old.query, old.body)).status).toBe(400);
    const ahead = sealCallback(SECRETS, eventXml({ ExternalUserID: 'wmAHEAD' }), new Date(Date.now() + 10 * 60_000));
    expect((await post(ahead.query, ahead.body)).status).toBe(400);
    const upper = sealCallback(SECRETS, eventXml({ ExternalUserID: 'wmUPPER' }));
    expect((await post({ ...upper.query, msg_signature: upper.query.msg_signature.toUpperCase() }, upper.body)).status).toBe(400);
    expect(await stored()).toBe(before);
    const fresh = sealCallback(SECRETS, eventXml({ ExternalUserID: 'wmFRESH' }));
    const ok = await post(fresh.query, fresh.body);
    expect([ok.status, ok.text]).toEqual([200, 'success']);
    expect(await stored()).toBe(before + 1);
  });

  it('compares signatures in constant time over digests (a wrong signature of any length is bad_signature)', () => {
    const crypto = createCallbackCrypto(SECRETS);
    const sealed = sealCallback(SECRETS, eventXml({}));
    for (const signature of ['', 'a', sealed.query.msg_signature.slice(0, 39), createHash('sha1').update('x').digest('hex'), `${sealed.query.msg_signature}0`]) {
      let reason = 'accepted';
      try {
        crypto.openEvent({ ...sealed.query, msg_signature: signature }, sealed.body);
      } catch (error) {
        reason = error instanceof CallbackVerificationError ? error.reason : 'other';
      }
      expect(reason === 'bad_signature' || reason === 'missing_parameters').toBe(true);
    }
  });
});
