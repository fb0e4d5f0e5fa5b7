/**
 * WeCom callback security: msg_signature check, AES decryption, receiveid check and XML parsing.
 * `@wecom/crypto` checks neither the signature nor the receive id, so both happen here.
 */
import { timingSafeEqual } from 'node:crypto';
import { decrypt, getSignature } from '@wecom/crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

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

const xmlParser = new XMLParser({ parseTagValue: false, ignoreAttributes: true, trimValues: true });

function safeEqualHex(a: string, b: string): boolean {
  const left = Buffer.from(a.toLowerCase(), 'utf8');
  const right = Buffer.from(b.toLowerCase(), 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Parses `<xml>…</xml>` into flat string fields; throws `malformed_xml`. */
export function parseXmlFields(xml: string): Record<string, string> {
  if (!xml || XMLValidator.validate(xml) !== true) throw new CallbackVerificationError('malformed_xml');
  const parsed: unknown = xmlParser.parse(xml);
  const root = (parsed as { xml?: unknown } | null)?.xml;
  if (!root || typeof root !== 'object') throw new CallbackVerificationError('malformed_xml', 'no <xml> root');
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(root as Record<string, unknown>)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[name] = String(value);
  }
  return fields;
}

export function createCallbackCrypto(secrets: CallbackSecrets) {
  function requireQuery(query: Partial<SignedQuery>): SignedQuery {
    const { msg_signature, timestamp, nonce } = query;
    if (!msg_signature || !timestamp || !nonce) throw new CallbackVerificationError('missing_parameters');
    return { msg_signature, timestamp, nonce };
  }

  function verifyAndDecrypt(query: SignedQuery, ciphertext: string): string {
    const expected = getSignature(secrets.token, query.timestamp, query.nonce, ciphertext);
    if (!safeEqualHex(expected, query.msg_signature)) throw new CallbackVerificationError('bad_signature');
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
      return toEvent(xml);
    },
  };
}

export type CallbackCrypto = ReturnType<typeof createCallbackCrypto>;

export function toEvent(xml: string): WecomCallbackEvent {
  const fields = parseXmlFields(xml);
  const createTime = Number(fields.CreateTime);
  if (!Number.isFinite(createTime)) throw new CallbackVerificationError('malformed_xml', 'bad <CreateTime>');
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
