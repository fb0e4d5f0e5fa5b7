/**
 * Permission ids, `<pluginId>.<resource>:<action>`. manifest.json declares the same set with default
 * role grants; test/foundation/manifest.test.ts proves they agree.
 */
export const PERMISSIONS = {
  bindingsRead: 'wecom-store-service.bindings:read',
  bindingsWrite: 'wecom-store-service.bindings:write',
  bindingsShare: 'wecom-store-service.bindings:share',
  entriesToggle: 'wecom-store-service.entries:toggle',
  reviewsDecide: 'wecom-store-service.reviews:decide',
  capacityRead: 'wecom-store-service.capacity:read',
  capacityManage: 'wecom-store-service.capacity:manage',
  alertsRead: 'wecom-store-service.alerts:read',
  alertsManage: 'wecom-store-service.alerts:manage',
  statsRead: 'wecom-store-service.stats:read',
  statsExport: 'wecom-store-service.stats:export',
  operationsRead: 'wecom-store-service.operations:read',
} as const;

export type PermissionId = (typeof PERMISSIONS)[keyof typeof PERMISSIONS];
