/** Every element the manifest declares; the host loads this one bundle. */
export { WssStoreList } from './store-list/store-list.js';
export { WssBindingAdmin } from './binding-admin/binding-admin.js';
export { WssStoreEntry } from './store-entry/store-entry.js';
export { WssAddGuide } from './add-guide/add-guide.js';
export { WssStatsDashboard } from './stats-dashboard/stats-dashboard.js';
export { WssCapacityPanel } from './capacity-panel/capacity-panel.js';
export { WssReviewQueue } from './review-queue/review-queue.js';
export { WssOperationLog } from './operation-log/operation-log.js';
export { WssHandoverQueue } from './handover-queue/handover-queue.js';
