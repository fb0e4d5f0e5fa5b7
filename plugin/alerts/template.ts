/**
 * Warning templates: `{placeholder}` is replaced by its value; an unknown placeholder stays as written
 * so a typo is visible in the message instead of silently vanishing.
 */
export const PLACEHOLDERS = ['name', 'userid', 'store', 'branch', 'count', 'limit', 'percent', 'level', 'forecast'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateValues = Partial<Record<Placeholder, string | number>>;

/** Chinese names accepted for the same placeholders (the default text uses {账号名称}). */
const ALIASES: Record<string, Placeholder> = {
  账号名称: 'name',
  账号: 'userid',
  门店: 'store',
  分公司: 'branch',
  客户数: 'count',
  容量上限: 'limit',
  百分比: 'percent',
  阈值: 'level',
  预测: 'forecast',
};

export function renderTemplate(template: string, values: TemplateValues): string {
  return template.replace(/\{([^{}\s]{1,20})\}/g, (whole, name: string) => {
    const key = (ALIASES[name] ?? name) as Placeholder;
    if (!(PLACEHOLDERS as readonly string[]).includes(key)) return whole;
    const value = values[key];
    return value === undefined || value === null ? '' : String(value);
  });
}
