import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { AccessTokenService, InvalidAccessTokenError, RevocationStore } from '@wopi/access-tokens';
import { type TenantConfig, TenantCache } from '@wopi/tenancy';
import { WopiError } from '@wopi/wopi';
import { ProofKeysService } from './proof-keys.service';
import type { RequestWithWopiContext } from './wopi-context';

/**
 * Authenticates every WOPI request, in this order:
 * 1. the access token (query `access_token`, or `Authorization: Bearer`) verifies and was issued
 *    for the file in the path: a token for another file, including a file of another tenant, is a
 *    401, so no WOPI request ever reads a file its token was not issued for;
 * 2. the token's tenant exists and is neither suspended nor deleted (per-process cache, dropped on
 *    every admin write in every process);
 * 3. where the session's WOPI client (the token's profile, the tenant's default for older tokens)
 *    signs requests, the proof keys verify (500 otherwise, proofkeys.rst);
 * 4. the token is not revoked (the Redis deny list the session API writes): 401.
 */
@Injectable()
export class WopiAuthGuard implements CanActivate {
  constructor(
    private readonly tokens: AccessTokenService,
    private readonly tenants: TenantCache,
    private readonly proofs: ProofKeysService,
    private readonly revocations: RevocationStore,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithWopiContext>();
    const token = tokenOf(request);
    if (!token) throw WopiError.invalidToken('no access token');
    let claims;
    try {
      claims = await this.tokens.verify(token);
    } catch (error) {
      if (error instanceof InvalidAccessTokenError) throw WopiError.invalidToken(error.message);
      throw error;
    }
    const fileId = (request.params as { fileId?: string }).fileId;
    if (claims.fileId !== fileId) throw WopiError.invalidToken('token issued for another file');
    const found = await this.tenants.findById(claims.tenantId);
    if (!found) throw WopiError.invalidToken('tenant unknown or disabled');
    // From here on the tenant is seen through the session's client: its proof keys, its behaviour.
    const tenant = asSeenByClient(found, claims.clientProfileId);
    await this.proofs.assertSigned(request, tenant, token);
    const revokedBy = await this.revocations.revokedBy({
      tenantId: claims.tenantId,
      userId: claims.userId,
      fileId: claims.fileId,
      sessionId: claims.sessionId,
      issuedAtMs: claims.issuedAtMs,
    });
    if (revokedBy) throw WopiError.invalidToken(`access revoked (${revokedBy})`);
    request.wopi = {
      tenant,
      fileId,
      userId: claims.userId,
      permissions: claims.permissions,
      tokenExpiresAtMs: claims.expiresAtMs,
    };
    return true;
  }
}

function asSeenByClient(tenant: TenantConfig, clientProfileId: string | undefined): TenantConfig {
  if (clientProfileId === undefined) return tenant;
  const profile = tenant.wopiClients.find((candidate) => candidate.id === clientProfileId);
  // The client was removed from the tenant: its sessions end rather than fall back to another's keys.
  if (!profile) throw WopiError.invalidToken('the WOPI client of this session is no longer configured');
  return { ...tenant, wopiClient: profile };
}

function tokenOf(request: RequestWithWopiContext): string | undefined {
  const query = (request.query as { access_token?: unknown }).access_token;
  if (typeof query === 'string' && query) return query;
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() || undefined : undefined;
}
