/**
 * English templates for @lit/localize (runtime mode), keyed by the ids given to msg(). Each element
 * keeps its own `<element>.en.ts` beside it; add one import line here per element.
 */
import { commonEn } from '../shared/common.en.js';
import { storeListEn } from '../store-list/store-list.en.js';

export const templates = {
  ...commonEn,
  ...storeListEn,
};
