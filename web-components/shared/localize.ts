import { configureLocalization } from '@lit/localize';
import * as en from '../locales/en.js';

/** zh-CN is the source locale; English is the second one. The page's <html lang> picks it. */
export const { getLocale, setLocale } = configureLocalization({
  sourceLocale: 'zh-CN',
  targetLocales: ['en'],
  loadLocale: async () => en,
});

const wanted = typeof document !== 'undefined' && document.documentElement.lang.toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
if (wanted !== 'zh-CN') void setLocale(wanted);
