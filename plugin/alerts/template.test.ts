import { describe, expect, it } from 'vitest';
import { PLACEHOLDERS, renderTemplate } from './template.js';

const DEFAULT_TEXT = '{账号名称}(账号:{userid})客户容量已达到{level}%,请及时处理。';

describe('renderTemplate', () => {
  it('renders the default Chinese text', () => {
    expect(renderTemplate(DEFAULT_TEXT, { name: '张三', userid: 'kf_001', level: 80 })).toBe('张三(账号:kf_001)客户容量已达到80%,请及时处理。');
  });

  it('replaces every English placeholder', () => {
    const values = { name: 'N', userid: 'U', store: 'S', branch: 'B', count: 1, limit: 2, percent: 3, level: 4, forecast: 'F' };
    expect(renderTemplate(PLACEHOLDERS.map((p) => `{${p}}`).join('|'), values)).toBe('N|U|S|B|1|2|3|4|F');
  });

  it('replaces every Chinese alias with the same value as its English name', () => {
    const values = { name: 'N', userid: 'U', store: 'S', branch: 'B', count: 1, limit: 2, percent: 3, level: 4, forecast: 'F' };
    expect(renderTemplate('{账号名称}|{账号}|{门店}|{分公司}|{客户数}|{容量上限}|{百分比}|{阈值}|{预测}', values)).toBe('N|U|S|B|1|2|3|4|F');
  });

  it('replaces a placeholder each time it appears', () => {
    expect(renderTemplate('{store}-{门店}-{store}', { store: 'S1' })).toBe('S1-S1-S1');
  });

  it('leaves unknown placeholders as written', () => {
    expect(renderTemplate('{nmae} {账户名称} {Name} {store}', { name: 'x', store: 'S' })).toBe('{nmae} {账户名称} {Name} S');
  });

  it('leaves braces that are not placeholders alone', () => {
    expect(renderTemplate('{} {store name} {{store}} {', { store: 'S' })).toBe('{} {store name} {S} {');
  });

  it('does not treat object prototype names as placeholders', () => {
    expect(renderTemplate('{constructor} {toString}', {})).toBe('{constructor} {toString}');
  });

  it('renders a known placeholder without a value as empty', () => {
    expect(renderTemplate(DEFAULT_TEXT, { userid: 'kf_001' })).toBe('(账号:kf_001)客户容量已达到%,请及时处理。');
    expect(renderTemplate('[{forecast}]', {})).toBe('[]');
  });

  it('renders zero and empty string values as written', () => {
    expect(renderTemplate('{count}/{limit}/{forecast}', { count: 0, limit: 100, forecast: '' })).toBe('0/100/');
  });

  it('does not re-expand placeholders inside values', () => {
    expect(renderTemplate('{name}', { name: '{store}', store: 'S' })).toBe('{store}');
  });
});
