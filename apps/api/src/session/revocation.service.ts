import { Injectable } from '@nestjs/common';
import { EditorSessionStore, RevocationStore } from '@wopi/access-tokens';
import { FileRepository } from '@wopi/file-registry';
import { AuditLogRepository, type TenantConfig } from '@wopi/tenancy';
import type { RevocationResponse, RevokeAccessDto } from './revoke-access.dto';
import { ApiError } from '../api-errors/api-error';

/** Who asked, for the audit trail. */
export interface RevocationActor {
  apiKeyId: string;
  requestId: string;
}

/** Ends access a core app no longer grants; every api instance refuses the tokens from the next request on. */
@Injectable()
export class RevocationService {
  constructor(
    private readonly revocations: RevocationStore,
    private readonly sessions: EditorSessionStore,
    private readonly files: FileRepository,
    private readonly audit: AuditLogRepository,
  ) {}

  async revoke(tenant: TenantConfig, request: RevokeAccessDto, actor: RevocationActor): Promise<RevocationResponse> {
    if (request.fileRef !== undefined && request.sessionId !== undefined) {
      throw ApiError.validationFailed('sessionId', 'Give fileRef or sessionId, not both');
    }
    const revokedAtMs = Date.now();
    let response: RevocationResponse;
    if (request.sessionId !== undefined) {
      const session = await this.sessions.find(tenant.id, request.sessionId);
      if (session && session.userId !== request.userId) {
        throw ApiError.notFound(`Session ${request.sessionId} is not a session of this user`);
      }
      // Written even when the record is gone: harmless, and it covers a renewal racing this call.
      await this.revocations.revokeSession(tenant.id, request.userId, request.sessionId, revokedAtMs);
      await this.sessions.delete(tenant.id, request.sessionId);
      response = {
        scope: 'session',
        userId: request.userId,
        sessionId: request.sessionId,
        revokedAt: iso(revokedAtMs),
      };
    } else if (request.fileRef !== undefined) {
      // A file never opened through the gateway has no tokens to refuse, and later sessions are
      // issued after this instant anyway.
      const file = await this.files.findByCoreRef(tenant.id, request.fileRef);
      if (file) await this.revocations.revokeFile(tenant.id, request.userId, file.id, revokedAtMs);
      response = { scope: 'file', userId: request.userId, fileId: file?.id ?? null, revokedAt: iso(revokedAtMs) };
    } else {
      await this.revocations.revokeUser(tenant.id, request.userId, revokedAtMs);
      response = { scope: 'user', userId: request.userId, revokedAt: iso(revokedAtMs) };
    }
    await this.audit.record({
      tenantId: tenant.id,
      actor: `apikey:${actor.apiKeyId}`,
      action: 'access.revoked',
      target: `user:${request.userId}`,
      details: {
        scope: response.scope,
        ...(response.fileId ? { fileId: response.fileId } : {}),
        ...(response.sessionId ? { sessionId: response.sessionId } : {}),
      },
      requestId: actor.requestId,
    });
    return response;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
