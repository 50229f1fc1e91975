/** Per-tenant switches of WOPI features (tenants.features JSON; unknown keys are ignored). */
export interface TenantFeatures {
  /** RenameFile, and the rename UI of the editor. */
  rename: boolean;
  /** PutRelativeFile (Save As, conversions); off = UserCanNotWriteRelative and 501. */
  putRelativeFile: boolean;
  /** PutUserInfo and CheckFileInfo UserInfo. */
  userInfo: boolean;
  /** DeleteFile. */
  deleteFile: boolean;
  /** Several users editing one file at once (shared lock). */
  coauthoring: boolean;
  /** Microsoft's business user flow: LicenseCheckForEditIsEnabled and the IsLicensedUser placeholder. */
  businessUserFlow: boolean;
}

export const DEFAULT_TENANT_FEATURES: TenantFeatures = {
  rename: true,
  putRelativeFile: true,
  userInfo: true,
  deleteFile: true,
  coauthoring: true,
  businessUserFlow: false,
};

/** Reads the stored JSON leniently: a missing or mistyped switch takes its default. */
export function parseTenantFeatures(stored: unknown): TenantFeatures {
  const source = stored && typeof stored === 'object' ? (stored as Record<string, unknown>) : {};
  const features = { ...DEFAULT_TENANT_FEATURES };
  for (const key of Object.keys(features) as (keyof TenantFeatures)[]) {
    if (typeof source[key] === 'boolean') features[key] = source[key] as boolean;
  }
  return features;
}
