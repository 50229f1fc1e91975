import type { Prisma } from '@wopi/db';
import type { AuditEventInput } from '@wopi/tenancy';
import type { AdminActor } from './admin-scope';

/** One admin action for the audit trail: who, what, to what, and the state before and after. */
export function adminAuditEvent(
  by: AdminActor,
  action: string,
  target: string,
  change: { tenantId?: string; before?: unknown; after?: unknown; details?: Record<string, unknown> },
): AuditEventInput {
  return {
    tenantId: change.tenantId,
    actor: by.actor,
    action,
    target,
    requestId: by.requestId,
    details: {
      ...(change.details ?? {}),
      before: (change.before ?? null) as Prisma.InputJsonValue,
      after: (change.after ?? null) as Prisma.InputJsonValue,
    } as Prisma.InputJsonObject,
  };
}
