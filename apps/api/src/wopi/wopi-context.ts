import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FilePermissions } from '@wopi/access-tokens';
import type { TenantConfig } from '@wopi/tenancy';
import type { FastifyRequest } from 'fastify';

/**
 * Who is asking, resolved from the verified access token only: no operation reads a tenant, a
 * file or a user from anywhere else.
 */
export interface WopiContext {
  tenant: TenantConfig;
  fileId: string;
  /** The core app's user id. */
  userId: string;
  permissions: FilePermissions;
  tokenExpiresAtMs: number;
}

export type RequestWithWopiContext = FastifyRequest & { wopi?: WopiContext };

export const Wopi = createParamDecorator((_: unknown, context: ExecutionContext): WopiContext => {
  const request = context.switchToHttp().getRequest<RequestWithWopiContext>();
  if (!request.wopi) throw new Error('WopiAuthGuard did not run');
  return request.wopi;
});

/** UserId/OwnerId as WOPI clients see them: the tenant id keeps users of two tenants apart. */
export function wopiUserId(tenantId: string, coreUserId: string): string {
  return `${tenantId}.${coreUserId}`;
}
