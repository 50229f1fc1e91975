import { IsOptional, Matches } from 'class-validator';
import { PageQueryDto } from './page-query.dto';
import { TENANT_SLUG } from './tenant.dto';

export class AuditQueryDto extends PageQueryDto {
  /** Only this tenant's events; absent: every event (keys over every tenant only). */
  @IsOptional()
  @Matches(TENANT_SLUG, { message: 'tenant must be a tenant slug' })
  tenant?: string;
}

/** One audited action: who did what to what, the state before and after, and when. */
export interface AuditEventView {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  tenantId: string | null;
  before: unknown;
  after: unknown;
  details: Record<string, unknown>;
  requestId: string | null;
}
