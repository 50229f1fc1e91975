import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '@wopi/db';

export interface AuditEventInput {
  tenantId?: string;
  actor: string;
  action: string;
  target?: string;
  details?: Prisma.InputJsonObject;
  requestId?: string;
}

/** The append-only audit trail of administrative and security-relevant actions. */
@Injectable()
export class AuditLogRepository {
  constructor(private readonly prisma: PrismaService) {}

  async record(event: AuditEventInput): Promise<void> {
    await this.prisma.auditEvent.create({ data: { ...event, details: event.details ?? {} } });
  }

  /** Removes events created before `cutoff`; returns how many (retention is a legal setting). */
  async purgeOlderThan(cutoff: Date): Promise<number> {
    const { count } = await this.prisma.auditEvent.deleteMany({ where: { createdAt: { lt: cutoff } } });
    return count;
  }
}
