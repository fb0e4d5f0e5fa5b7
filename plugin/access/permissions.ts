/**
 * Permission ids, `<pluginId>.<resource>:<action>`. manifest.json declares the same set with default
 * role grants; test/manifest.test.ts proves they agree.
 */
export const PERMISSIONS = {
  bindingsRead: 'wecom-store-service.bindings:read',
} as const;

export type PermissionId = (typeof PERMISSIONS)[keyof typeof PERMISSIONS];
