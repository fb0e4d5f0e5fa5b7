/**
 * WeCom's side of callback encryption: builds the event XML and seals it the way WeCom sends it
 * (AES-CBC via @wecom/crypto, SHA-1 msg_signature over token/timestamp/nonce/ciphertext). The plugin
 * has its own opening code; keeping the two apart means a bug in one is caught by the other.
 */
import { randomBytes } from 'node:crypto';
import { encrypt, getSignature } from '@wecom/crypto';

export interface SealingSecrets {
  token: string;
  encodingAesKey: string;
  corpId: string;
  agentId?: string;
}

export interface SealedCallback {
  query: { msg_signature: string; timestamp: string; nonce: string };
  body: string;
  encrypt: string;
}

function cdata(value: string): string {
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/** Plain callback XML from fields: numbers as they are, strings in CDATA. */
export function buildEventXml(fields: Record<string, string | number | undefined>): string {
  const inner = Object.entries(fields)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => (typeof value === 'number' ? `<${name}>${value}</${name}>` : `<${name}>${cdata(value)}</${name}>`))
    .join('');
  return `<xml>${inner}</xml>`;
}

/** Encrypts and signs a message the way WeCom sends it: the query and the POST body. */
export function sealCallback(secrets: SealingSecrets, xml: string, now: Date = new Date()): SealedCallback {
  const ciphertext = encrypt(secrets.encodingAesKey, xml, secrets.corpId);
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const nonce = String(randomBytes(5).readUIntBE(0, 5));
  const msg_signature = getSignature(secrets.token, timestamp, nonce, ciphertext);
  const body = `<xml><ToUserName>${cdata(secrets.corpId)}</ToUserName><AgentID>${cdata(secrets.agentId ?? '')}</AgentID><Encrypt>${cdata(ciphertext)}</Encrypt></xml>`;
  return { query: { msg_signature, timestamp, nonce }, body, encrypt: ciphertext };
}
