import { str } from '@lit/localize';

/** English for strings shared by several elements. */
export const commonEn = {
  'common.error': str`Could not load: ${0}`,
};
