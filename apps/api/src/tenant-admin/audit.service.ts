import { Injectable } from '@nestjs/common';
import { type AuditEvent, PrismaService } from '@wopi/db';
import { ApiError } from '../api-errors/api-error';
import type { AuditEventView } from './audit.dto';
import { type Page, paged } from './page-query.dto';

/** Reads the audit trail, newest first. */
@Injectable()
export class AuditService {
  constructor(private readonly prisma: PrismaService) {}

  async list(
    tenantSlug: string | undefined,
    page: Page,
  ): Promise<{ events: AuditEventView[]; nextCursor: string | null }> {
    let tenantId: string | undefined;
    if (tenantSlug !== undefined) {
      // Deleted tenants' events stay readable until the tenant is purged.
      const tenant = await this.prisma.tenant.findUnique({ where: { slug: tenantSlug }, select: { id: true } });
      if (!tenant) throw ApiError.notFound('No such tenant');
      tenantId = tenant.id;
    }
    const rows = await this.prisma.auditEvent.findMany({
      where: { ...(tenantId ? { tenantId } : {}), ...(page.after ? { id: { lt: page.after } } : {}) },
      orderBy: { id: 'desc' },
      take: page.limit + 1,
    });
    const { items, nextCursor } = paged(rows, page);
    return { events: items.map(toEventView), nextCursor };
  }
}

function toEventView(event: AuditEvent): AuditEventView {
  const { before = null, after = null, ...details } = (event.details ?? {}) as Record<string, unknown>;
  return {
    id: event.id,
    at: event.createdAt.toISOString(),
    actor: event.actor,
    action: event.action,
    target: event.target,
    tenantId: event.tenantId,
    before,
    after,
    details,
    requestId: event.requestId,
  };
}
