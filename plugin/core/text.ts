import { z } from 'zod';

/**
 * The text rule of every input (path ids, query parameters, body strings, import cells, file
 * names): PostgreSQL text cannot hold U+0000 nor unpaired surrogates, and no person types a C0/C1
 * control character into a name, id or reason, so each is a 400 at the edge instead of a failed
 * statement. Multi-line text may keep tab and line breaks.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const LINE_CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const TEXT_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const CONTROL_MESSAGE = '不能包含控制字符 (must not contain control characters)';

/** True when a single-line value is storable and free of control characters. */
export function isCleanLine(value: string): boolean {
  return !LINE_CONTROL.test(value) && !LONE_SURROGATE.test(value);
}

/** True when a multi-line value (tab, CR, LF allowed) is storable and free of other controls. */
export function isCleanText(value: string): boolean {
  return !TEXT_CONTROL.test(value) && !LONE_SURROGATE.test(value);
}

/** True when PostgreSQL can store the value at all (no U+0000, no unpaired surrogate). */
export function isStorable(value: string): boolean {
  return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
}

/** A single-line string of at most `max` characters (trimmed when `trim`). */
export function lineText(max: number, opts: { trim?: boolean } = {}) {
  const base = opts.trim ? z.string().trim() : z.string();
  return base.max(max).refine(isCleanLine, CONTROL_MESSAGE);
}

/** A multi-line string of at most `max` characters, trimmed. */
export function freeText(max: number) {
  return z.string().trim().max(max).refine(isCleanText, CONTROL_MESSAGE);
}
