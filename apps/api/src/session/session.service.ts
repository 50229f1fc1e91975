import { Inject, Injectable } from '@nestjs/common';
import {
  type AccessTokenClaims,
  AccessTokenService,
  type EditorSession,
  EditorSessionStore,
  ExpiredAccessTokenError,
  InvalidAccessTokenError,
  LaunchTicketStore,
  newSessionId,
  RevocationStore,
} from '@wopi/access-tokens';
import {
  CoreAppClient,
  CoreAppError,
  CoreAppErrorKind,
  type CoreAppTarget,
  type CoreFile,
} from '@wopi/core-app-client';
import type { File } from '@wopi/db';
import { coreContentState, FileRepository, VersionLedger } from '@wopi/file-registry';
import type { TenantConfig } from '@wopi/tenancy';
import { type EditorLaunch, type EditorLaunchRequest, EditorActionService } from '../discovery/editor-action.service';
import type { CreateSessionDto, SessionResponse } from './create-session.dto';
import type { RenewSessionDto } from './renew-session.dto';
import { launchLinksOf } from './launch-links';
import { actionProblem, isSessionAction, type SessionAction, tokenPermissions } from './session-action';
import { ApiError } from '../api-errors/api-error';

export const SESSION_SETTINGS = Symbol('SESSION_SETTINGS');

export interface SessionSettings {
  publicBaseUrl: string;
  launchTicketTtlSeconds: number;
}

/**
 * Editor sessions: permissions from the core app, a stable file ID, a token, the client's action
 * URL and a one-time host-page link; renewal for sessions that outlive a token.
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly coreApps: CoreAppClient,
    private readonly files: FileRepository,
    private readonly ledger: VersionLedger,
    private readonly tokens: AccessTokenService,
    private readonly tickets: LaunchTicketStore,
    private readonly sessions: EditorSessionStore,
    private readonly revocations: RevocationStore,
    private readonly editors: EditorActionService,
    @Inject(SESSION_SETTINGS) private readonly settings: SessionSettings,
  ) {}

  async create(tenant: TenantConfig, request: CreateSessionDto): Promise<SessionResponse> {
    if (request.client !== undefined && !tenant.wopiClients.some((profile) => profile.name === request.client)) {
      throw ApiError.validationFailed('client', `The tenant has no WOPI-client profile named "${request.client}"`);
    }
    // Asked afresh: the token issued now carries these permissions for hours.
    const coreFile = await this.coreApps.getFile(targetOf(tenant), request.fileRef, request.userId, { fresh: true });
    const action: SessionAction = request.action ?? (coreFile.permissions.write ? 'edit' : 'view');
    const problem = actionProblem(action, coreFile.permissions, tenant.features);
    if (problem) throw ApiError.permissionDenied(problem);

    const file = await this.register(tenant, coreFile);
    // The editor is chosen before the token is issued: the token names the client whose proof keys
    // and behaviour apply to its WOPI requests.
    const sessionId = newSessionId();
    const editor = await this.editorFor(tenant, file, {
      action,
      locale: request.locale,
      sessionId,
      ...(request.client !== undefined ? { client: { name: request.client } } : {}),
    });
    const clientProfileId = editor.status === 'no-client' ? undefined : editor.clientProfileId;
    const { token, claims } = await this.tokens.issue({
      tenantId: tenant.id,
      fileId: file.id,
      userId: request.userId,
      permissions: tokenPermissions(action, coreFile.permissions),
      ttlMs: tenant.accessTokenTtlMs,
      sessionId,
      ...(clientProfileId ? { clientProfileId } : {}),
    });
    const session: EditorSession & { action: SessionAction } = {
      sessionId: claims.sessionId,
      tenantId: tenant.id,
      fileId: file.id,
      userId: request.userId,
      action,
      ...(request.locale ? { locale: request.locale } : {}),
      ...(request.returnUrl ? { returnUrl: request.returnUrl } : {}),
      ...(clientProfileId ? { clientProfileId } : {}),
      startedAtMs: claims.issuedAtMs,
      expiresAtMs: claims.expiresAtMs,
    };
    await this.sessions.create(session);
    return this.launch(tenant, session, file, coreFile, token, claims, editor);
  }

  /**
   * A new token for the same session (file, user, action), with the permissions the core app gives
   * now. A session that ended (expired, revoked) cannot be renewed; one whose user lost all access
   * is ended here as well.
   */
  async renew(tenant: TenantConfig, request: RenewSessionDto): Promise<SessionResponse> {
    const sessionId = await this.sessionIdOf(tenant, request);
    const session = await this.sessions.find(tenant.id, sessionId);
    const action = session?.action;
    if (!session || !action || !isSessionAction(action)) throw ApiError.sessionEnded('unknown or expired');
    const revokedBy = await this.revocations.revokedBy({
      tenantId: tenant.id,
      userId: session.userId,
      fileId: session.fileId,
      sessionId,
      // A revocation ends the sessions started up to its time, renewals included.
      issuedAtMs: session.startedAtMs,
    });
    if (revokedBy) throw ApiError.sessionEnded(`access revoked (${revokedBy})`);
    const known = await this.files.findForTenant(tenant.id, session.fileId);
    if (!known) throw ApiError.sessionEnded('the file was deleted');

    let coreFile: CoreFile;
    try {
      // Ask afresh: renewing is exactly when a cached answer must not be trusted.
      coreFile = await this.coreApps.getFile(targetOf(tenant), known.coreRef, session.userId, { fresh: true });
    } catch (error) {
      if (
        error instanceof CoreAppError &&
        (error.kind === CoreAppErrorKind.NotFound || error.kind === CoreAppErrorKind.Forbidden)
      ) {
        await this.end(session);
      }
      throw error;
    }
    const problem = actionProblem(action, coreFile.permissions, tenant.features);
    if (problem) {
      // No read access at all: the session is over. Lost write on an edit session: the current
      // token keeps working until it expires or the core app revokes it; a view session is the way on.
      if (!coreFile.permissions.read) await this.end(session);
      throw ApiError.permissionDenied(problem);
    }

    const file = await this.register(tenant, coreFile);
    // The session keeps its client; one opened before tenants had several had the default.
    const clientProfileId = session.clientProfileId ?? tenant.wopiClient?.id;
    const editor = await this.editorFor(tenant, file, {
      action,
      locale: session.locale,
      sessionId,
      ...(clientProfileId ? { client: { id: clientProfileId } } : {}),
    });
    const { token, claims } = await this.tokens.issue({
      tenantId: tenant.id,
      fileId: file.id,
      userId: session.userId,
      permissions: tokenPermissions(action, coreFile.permissions),
      ttlMs: tenant.accessTokenTtlMs,
      sessionId,
      ...(clientProfileId ? { clientProfileId } : {}),
    });
    // XX: a revocation that deleted the record meanwhile wins (its deny entry refuses this token too).
    if (!(await this.sessions.extend(session, claims.expiresAtMs))) throw ApiError.sessionEnded('ended meanwhile');
    return this.launch(
      tenant,
      { ...session, action, expiresAtMs: claims.expiresAtMs },
      file,
      coreFile,
      token,
      claims,
      editor,
    );
  }

  private async sessionIdOf(tenant: TenantConfig, request: RenewSessionDto): Promise<string> {
    if ((request.sessionId === undefined) === (request.accessToken === undefined)) {
      throw ApiError.validationFailed('sessionId', 'Give exactly one of sessionId and accessToken');
    }
    if (request.sessionId !== undefined) return request.sessionId;
    let claims: AccessTokenClaims;
    try {
      claims = await this.tokens.verify(request.accessToken!);
    } catch (error) {
      if (error instanceof ExpiredAccessTokenError) throw ApiError.sessionEnded('the token has expired');
      if (error instanceof InvalidAccessTokenError)
        throw ApiError.validationFailed('accessToken', 'accessToken is not a valid token');
      throw error;
    }
    // Another tenant's session is not this core app's business: the same answer as an unknown one.
    if (claims.tenantId !== tenant.id) throw ApiError.sessionEnded('unknown or expired');
    return claims.sessionId;
  }

  private async end(session: EditorSession): Promise<void> {
    await this.revocations.revokeSession(session.tenantId, session.userId, session.sessionId);
    await this.sessions.delete(session.tenantId, session.sessionId);
  }

  /**
   * The file's gateway ID, and the version an editor's first save will build on, recorded now
   * from the answer just fetched: a save then never has to ask the core app (docs/adr/0016).
   */
  private async register(tenant: TenantConfig, coreFile: CoreFile): Promise<File> {
    const file = await this.files.register({
      tenantId: tenant.id,
      coreRef: coreFile.ref,
      name: coreFile.name,
      ownerId: coreFile.ownerId,
    });
    await this.ledger.reconcile(file.id, coreContentState(coreFile));
    return file;
  }

  private editorFor(
    tenant: TenantConfig,
    file: File,
    request: Omit<EditorLaunchRequest, 'fileName' | 'wopiSrc'>,
  ): Promise<EditorLaunch> {
    return this.editors.resolve(tenant, { ...request, fileName: file.name, wopiSrc: this.wopiSrcOf(file) });
  }

  private wopiSrcOf(file: File): string {
    return `${this.settings.publicBaseUrl}/wopi/files/${file.id}`;
  }

  private async launch(
    tenant: TenantConfig,
    session: EditorSession & { action: SessionAction },
    file: File,
    coreFile: CoreFile,
    token: string,
    claims: AccessTokenClaims,
    editor: EditorLaunch,
  ): Promise<SessionResponse> {
    const ticket = await this.tickets.create(
      {
        tenantId: tenant.id,
        fileId: file.id,
        sessionId: session.sessionId,
        accessToken: token,
        accessTokenTtl: claims.expiresAtMs,
        action: session.action,
        ...(session.locale ? { locale: session.locale } : {}),
        ...(session.returnUrl ? { returnUrl: session.returnUrl } : {}),
        ...(session.clientProfileId ? { clientProfileId: session.clientProfileId } : {}),
        links: launchLinksOf(coreFile),
      },
      this.settings.launchTicketTtlSeconds,
    );
    return {
      sessionId: session.sessionId,
      fileId: file.id,
      wopiSrc: this.wopiSrcOf(file),
      accessToken: token,
      accessTokenTtl: claims.expiresAtMs,
      action: session.action,
      actionUrl: editor.status === 'ready' ? editor.actionUrl : null,
      client: editor.status === 'no-client' ? null : editor.clientName,
      hostPageUrl: `${this.settings.publicBaseUrl}/host/${file.id}?ticket=${ticket}`,
    };
  }
}

function targetOf(tenant: TenantConfig): CoreAppTarget {
  return { tenantId: tenant.id, ...tenant.coreApp };
}
