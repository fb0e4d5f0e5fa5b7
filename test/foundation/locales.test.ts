import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { templates } from '../../web-components/locales/en.js';

// English is a complete second locale: every msg() id of the elements has an English template with
// the same number of placeholders, and no English template is left over.
const root = path.resolve(import.meta.dirname, '../../web-components');
const sources = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.en.ts') && !f.startsWith('dist'));

function messages(): Map<string, { placeholders: number; file: string }> {
  const out = new Map<string, { placeholders: number; file: string }>();
  for (const file of sources) {
    const src = readFileSync(path.join(root, file), 'utf8');
    for (const m of src.matchAll(/msg\(\s*(str)?(`(?:[^`\\]|\\.)*`|'[^']*')\s*,\s*\{\s*id:\s*'([^']+)'/g)) {
      out.set(m[3], { placeholders: m[1] ? (m[2].match(/\$\{/g) ?? []).length : 0, file });
    }
  }
  return out;
}

describe('English locale', () => {
  const ids = messages();
  const en = templates as Record<string, string | { strings: readonly string[] }>;

  it('finds the messages (the walk is not empty)', () => {
    expect(ids.size).toBeGreaterThan(300);
  });

  it('has an English template for every message, with the same placeholders', () => {
    const missing = [...ids.keys()].filter((id) => !(id in en));
    expect(missing).toEqual([]);
    const mismatched = [...ids].filter(([id, m]) => {
      const t = en[id];
      const count = typeof t === 'string' ? 0 : t.strings.length - 1;
      return count !== m.placeholders;
    });
    expect(mismatched.map(([id, m]) => `${id} (${m.file})`)).toEqual([]);
  });

  it('keeps no English template whose message is gone', () => {
    expect(Object.keys(en).filter((id) => !ids.has(id))).toEqual([]);
  });
});
