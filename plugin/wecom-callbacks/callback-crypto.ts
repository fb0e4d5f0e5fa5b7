/**
 * WeCom callback security: msg_signature check, AES decryption, receiveid check and XML parsing.
 * `@wecom/crypto` checks neither the signature nor the receive id, so both happen here.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { decrypt, getSignature } from '@wecom/crypto';
import { CallbackXmlError, readCallbackXml } from './callback-xml.js';

export interface CallbackSecrets {
  token: string;
  encodingAesKey: string;
  /** The receive id expected inside the ciphertext: the corp id for an in-house app. */
  corpId: string;
}

export interface SignedQuery {
  msg_signature: string;
  timestamp: string;
  nonce: string;
}

export type CallbackRejectReason =
  | 'missing_parameters'
  | 'bad_signature'
  | 'decrypt_failed'
  | 'wrong_receive_id'
  | 'stale_timestamp'
  | 'bad_create_time'
  | 'malformed_xml';

export class CallbackVerificationError extends Error {
  readonly status = 400;
  readonly code = 'WECOM_CALLBACK_REJECTED';
  constructor(readonly reason: CallbackRejectReason, detail?: string) {
    super(`WeCom callback rejected: ${reason}${detail ? ` (${detail})` : ''}`);
    this.name = 'CallbackVerificationError';
  }
}

export type ChangeType =
  | 'add_external_contact'
  | 'add_half_external_contact'
  | 'edit_external_contact'
  | 'del_external_contact'
  | 'del_follow_user'
  | 'transfer_fail';

export interface WecomCallbackEvent {
  toUserName: string;
  fromUserName: string;
  /** Seconds since epoch, as sent. */
  createTime: number;
  msgType: string;
  event: string;
  changeType?: string;
  userId?: string;
  externalUserId?: string;
  state?: string;
  welcomeCode?: string;
  source?: string;
  failReason?: string;
  /** All top-level fields as strings, for events this type does not model. */
  fields: Record<string, string>;
  /** The decrypted XML. */
  xml: string;
}

/**
 * Exact (case-sensitive) comparison in constant time: both sides are hashed first, so neither the
 * content nor the length of the expected signature shows in the timing.
 */
function signaturesEqual(expected: string, given: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(given));
}

/** Parses `<xml>…</xml>` into flat string fields; throws `malformed_xml` for anything WeCom never sends. */
export function parseXmlFields(xml: string): Record<string, string> {
  try {
    return readCallbackXml(xml);
  } catch (error) {
    if (error instanceof CallbackXmlError) throw new CallbackVerificationError('malformed_xml', error.detail);
    throw new CallbackVerificationError('malformed_xml');
  }
}

/** A signed POST whose query timestamp is further than this from now is refused (replays). */
export const CALLBACK_FRESHNESS_SECONDS = 300;
/** CreateTime before this (2010-01-01) is not a WeCom event. */
const EARLIEST_CREATE_TIME = 1_262_304_000;
/** WeCom's clock may run a little ahead of ours; a day is generous. */
const CREATE_TIME_LEEWAY_SECONDS = 86_400;
const SIGNATURE = /^[0-9a-f]{40}$/;
const SECONDS = /^\d{1,10}$/;
const NONCE = /^[A-Za-z0-9]{1,64}$/;

export interface CallbackCryptoOptions {
  /** The clock (tests). */
  now?: () => number;
}

export function createCallbackCrypto(secrets: CallbackSecrets, options: CallbackCryptoOptions = {}) {
  const nowSeconds = () => Math.floor((options.now?.() ?? Date.now()) / 1000);

  function requireQuery(query: Partial<SignedQuery>): SignedQuery {
    const { msg_signature, timestamp, nonce } = query;
    if (!msg_signature || !timestamp || !nonce) throw new CallbackVerificationError('missing_parameters');
    if (!SIGNATURE.test(msg_signature) || !SECONDS.test(timestamp) || !NONCE.test(nonce)) throw new CallbackVerificationError('bad_signature');
    return { msg_signature, timestamp, nonce };
  }

  function requireFresh(query: SignedQuery): void {
    if (Math.abs(nowSeconds() - Number(query.timestamp)) > CALLBACK_FRESHNESS_SECONDS) throw new CallbackVerificationError('stale_timestamp');
  }

  function verifyAndDecrypt(query: SignedQuery, ciphertext: string): string {
    const expected = getSignature(secrets.token, query.timestamp, query.nonce, ciphertext);
    if (!signaturesEqual(expected, query.msg_signature)) throw new CallbackVerificationError('bad_signature');
    let opened: { message: string; id: string };
    try {
      opened = decrypt(secrets.encodingAesKey, ciphertext);
    } catch {
      throw new CallbackVerificationError('decrypt_failed');
    }
    if (opened.id !== secrets.corpId) throw new CallbackVerificationError('wrong_receive_id');
    return opened.message;
  }

  return {
    /** GET URL check: returns the plaintext echostr to answer verbatim. */
    verifyUrl(query: Partial<SignedQuery> & { echostr?: string }): string {
      const signed = requireQuery(query);
      if (!query.echostr) throw new CallbackVerificationError('missing_parameters');
      return verifyAndDecrypt(signed, query.echostr);
    },

    /** POST: verifies and decrypts the `<Encrypt>` of the envelope and parses the event. */
    openEvent(query: Partial<SignedQuery>, body: string): WecomCallbackEvent {
      const signed = requireQuery(query);
      const envelope = parseXmlFields(body);
      const ciphertext = envelope.Encrypt;
      if (!ciphertext) throw new CallbackVerificationError('malformed_xml', 'no <Encrypt>');
      const xml = verifyAndDecrypt(signed, ciphertext);
      requireFresh(signed);
      return toEvent(xml, nowSeconds());
    },
  };
}

export type CallbackCrypto = ReturnType<typeof createCallbackCrypto>;

/** The event of decrypted XML; CreateTime must be whole seconds between 2010 and a day from `now`. */
export function toEvent(xml: string, now = Math.floor(Date.now() / 1000)): WecomCallbackEvent {
  const fields = parseXmlFields(xml);
  const raw = fields.CreateTime ?? '';
  const createTime = SECONDS.test(raw) ? Number(raw) : NaN;
  if (!(createTime >= EARLIEST_CREATE_TIME && createTime <= now + CREATE_TIME_LEEWAY_SECONDS)) {
    throw new CallbackVerificationError('bad_create_time', raw.slice(0, 20));
  }
  return {
    toUserName: fields.ToUserName ?? '',
    fromUserName: fields.FromUserName ?? '',
    createTime,
    msgType: fields.MsgType ?? '',
    event: fields.Event ?? '',
    changeType: fields.ChangeType,
    userId: fields.UserID,
    externalUserId: fields.ExternalUserID,
    state: fields.State,
    welcomeCode: fields.WelcomeCode,
    source: fields.Source,
    failReason: fields.FailReason,
    fields,
    xml,
  };
}
