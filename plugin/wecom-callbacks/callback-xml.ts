import { SaxesParser } from 'saxes';

/**
 * WeCom's callback XML, read strictly: `<xml>` with flat fields (text or CDATA), as WeCom sends it.
 * Anything WeCom never sends fails closed before any other work: a DOCTYPE (so no entity is ever
 * defined or expanded), an entity other than the five predefined ones and character references,
 * processing instructions past the declaration, nesting deeper than a few levels, field names that
 * are not plain identifiers (`__proto__` included), a body or field longer than the limits.
 */
export class CallbackXmlError extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'CallbackXmlError';
  }
}

const MAX_DEPTH = 4;
const MAX_FIELDS = 64;
const MAX_FIELD_CHARS = 64 * 1024;
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

/** The top-level leaf fields of `<xml>…</xml>`, in a prototype-free record. */
export function readCallbackXml(xml: string): Record<string, string> {
  if (!xml) throw new CallbackXmlError('empty');
  const parser = new SaxesParser({ position: false });
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  const stack: string[] = [];
  let text = '';
  let leaf = true;
  let failure: CallbackXmlError | null = null;
  let count = 0;
  const fail = (detail: string) => {
    failure ??= new CallbackXmlError(detail);
  };
  parser.on('error', (err) => fail(err.message.slice(0, 120)));
  parser.on('doctype', () => fail('DOCTYPE'));
  parser.on('processinginstruction', () => fail('processing instruction'));
  parser.on('opentag', (node) => {
    if (failure) return;
    if (!FIELD_NAME.test(node.name)) return fail('element name');
    if (stack.length === 0 && node.name !== 'xml') return fail('no <xml> root');
    if (stack.length >= MAX_DEPTH) return fail('nested too deeply');
    stack.push(node.name);
    text = '';
    leaf = true;
  });
  const addText = (chunk: string) => {
    if (failure || stack.length === 0) return;
    text += chunk;
    if (text.length > MAX_FIELD_CHARS) fail('field too long');
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('closetag', () => {
    if (failure) return;
    const name = stack.pop();
    if (stack.length === 1 && name && leaf) {
      if (++count > MAX_FIELDS) return fail('too many fields');
      if (name in fields) return fail(`repeated <${name}>`);
      fields[name] = text.trim();
    }
    leaf = false;
    text = '';
  });
  try {
    parser.write(xml).close();
  } catch (error) {
    fail(error instanceof Error ? error.message.slice(0, 120) : 'unreadable');
  }
  if (failure) throw failure;
  return fields;
}
