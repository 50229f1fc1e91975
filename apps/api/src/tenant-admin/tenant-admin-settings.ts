export const TENANT_ADMIN_SETTINGS = Symbol('TENANT_ADMIN_SETTINGS');

export interface TenantAdminSettings {
  /** TENANT_DELETION_GRACE_DAYS: how long a deleted tenant's data is kept before it is purged. */
  deletionGraceDays: number;
}
