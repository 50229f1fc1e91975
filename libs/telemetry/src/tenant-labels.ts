/**
 * Metrics name tenants by slug (readable on a dashboard, stable across environments), but most
 * code holds only the tenant id. The tenant repository tells this map each slug it loads; a
 * process never sees more tenants than it serves, so the map stays small.
 */
const slugs = new Map<string, string>();

export function rememberTenantSlug(tenantId: string, slug: string): void {
  if (slugs.get(tenantId) !== slug) slugs.set(tenantId, slug);
}

/** The tenant's slug for metric attributes; its id until the slug is known. */
export function tenantLabel(tenantId: string): string {
  return slugs.get(tenantId) ?? tenantId;
}
