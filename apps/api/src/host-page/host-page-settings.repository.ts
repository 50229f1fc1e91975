import { Injectable, Logger } from '@nestjs/common';
import { PrismaService } from '@wopi/db';

/** A tenant's host-page settings (tenants.host_page JSON). */
export interface HostPageSettings {
  /** CSP frame-ancestors sources: who may frame the host page ('self' when the tenant set none). */
  allowedFrameAncestors: string[];
}

const DEFAULT_FRAME_ANCESTORS = ["'self'"];
/**
 * The CSP source expressions a tenant may allow as frame ancestors: 'self', 'none', or an http(s)
 * origin, optionally with a leading wildcard label and a port. Nothing else: a stored value goes
 * into a response header, so anything that could end a directive (';', ',', spaces, quotes) is refused.
 */
const FRAME_ANCESTOR = /^(?:'self'|'none'|https?:\/\/(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::(?:\d{1,5}|\*))?)$/i;

@Injectable()
export class HostPageSettingsRepository {
  private readonly logger = new Logger(HostPageSettingsRepository.name);

  constructor(private readonly prisma: PrismaService) {}

  async forTenant(tenantId: string): Promise<HostPageSettings> {
    const tenant = await this.prisma.tenant.findUnique({ where: { id: tenantId }, select: { hostPage: true } });
    return parseHostPageSettings(tenant?.hostPage, (rejected) =>
      this.logger.warn({ tenantId, rejected }, 'host page: ignoring frame ancestors that are no CSP origin'),
    );
  }
}

/** Reads the stored JSON leniently: what is missing or malformed takes the safe default. */
export function parseHostPageSettings(
  stored: unknown,
  onRejected: (values: unknown[]) => void = () => {},
): HostPageSettings {
  const source = stored && typeof stored === 'object' ? (stored as Record<string, unknown>) : {};
  const listed = Array.isArray(source.allowedFrameAncestors) ? (source.allowedFrameAncestors as unknown[]) : [];
  const valid = listed.filter((value): value is string => typeof value === 'string' && FRAME_ANCESTOR.test(value));
  if (valid.length !== listed.length) onRejected(listed.filter((value) => !valid.includes(value as string)));
  // 'none' with anything else is meaningless in CSP; alone it forbids all framing.
  const allowed = valid.includes("'none'") && valid.length > 1 ? valid.filter((v) => v !== "'none'") : valid;
  return { allowedFrameAncestors: allowed.length > 0 ? allowed : DEFAULT_FRAME_ANCESTORS };
}
