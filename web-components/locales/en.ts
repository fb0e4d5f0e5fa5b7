/**
 * English templates for @lit/localize (runtime mode), keyed by the ids given to msg(). Each element
 * keeps its own `<element>.en.ts` beside it; add one import line here per element.
 */
import { commonEn } from '../shared/common.en.js';
import { storeListEn } from '../store-list/store-list.en.js';
import { bindingAdminEn } from '../binding-admin/binding-admin.en.js';
import { storeEntryEn } from '../store-entry/store-entry.en.js';
import { addGuideEn } from '../add-guide/add-guide.en.js';
import { statsDashboardEn } from '../stats-dashboard/stats-dashboard.en.js';
import { capacityPanelEn } from '../capacity-panel/capacity-panel.en.js';
import { reviewQueueEn } from '../review-queue/review-queue.en.js';
import { operationLogEn } from '../operation-log/operation-log.en.js';
import { handoverQueueEn } from '../handover-queue/handover-queue.en.js';

export const templates = {
  ...commonEn,
  ...storeListEn,
  ...bindingAdminEn,
  ...storeEntryEn,
  ...addGuideEn,
  ...statsDashboardEn,
  ...capacityPanelEn,
  ...reviewQueueEn,
  ...operationLogEn,
  ...handoverQueueEn,
};
