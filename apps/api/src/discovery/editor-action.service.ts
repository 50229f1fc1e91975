import { Injectable, Logger } from '@nestjs/common';
import type { TenantConfig, WopiClientProfileConfig } from '@wopi/tenancy';
import { buildActionUrl, findAction, type FoundAction, splitFileName, type WopiDiscovery } from '@wopi/wopi';
import { actionUrlValues } from './action-url-values';
import { DiscoveryUnavailableError } from './discovery.error';
import { DiscoveryService } from './discovery.service';

export interface EditorLaunchRequest {
  fileName: string;
  /** WOPI action name: view, edit, editnew, convert, embedview. */
  action: string;
  locale?: string;
  sessionId: string;
  /** The file's WOPISrc, without access token. */
  wopiSrc: string;
  /**
   * The profile to open it with: a running session's (by id) or the one a core app named (by name).
   * Absent: the first profile, default first, whose discovery offers the action for the extension.
   */
  client?: { id: string } | { name: string };
}

/** Where a session's editor is, or why there is none. */
export type EditorLaunch =
  | {
      status: 'ready';
      /** The action URL, placeholders filled or removed; the token is POSTed to it, never put in it. */
      actionUrl: string;
      /** Its origin: the host page's frame-src and form-action, and the only origin it takes messages from. */
      actionOrigin: string;
      /** The app's favicon from discovery (discovery.rst "Favicon URLs"), if it has one. */
      favIconUrl?: string;
      clientName: string;
      clientProfileId: string;
    }
  /** The tenant has no WOPI-client profile (or not the one asked for). */
  | { status: 'no-client' }
  /** No client's discovery (or not the named one's) has such an action for this file type. */
  | { status: 'unsupported'; clientName: string; clientProfileId: string; action: string; extension: string }
  /** The client's discovery could not be had. */
  | { status: 'unavailable'; clientName: string; clientProfileId: string };

/**
 * Picks the WOPI client and its action for a file from the tenant's profiles' discovery and builds
 * the action URL. Without a named profile the profiles are asked in order, the default first: the
 * first whose discovery offers the action for the file's extension opens it (a tenant may use the
 * demo editor for documents and the WOPI validator for .wopitest files); an edit no client offers
 * falls back to the first client's view of that file type. A profile whose discovery
 * cannot be had stops the search there ("unavailable"): the user waits for the editor they would
 * get rather than silently getting another one.
 */
@Injectable()
export class EditorActionService {
  private readonly logger = new Logger(EditorActionService.name);

  constructor(private readonly discovery: DiscoveryService) {}

  async resolve(tenant: TenantConfig, request: EditorLaunchRequest): Promise<EditorLaunch> {
    const extension = splitFileName(request.fileName).extension.replace(/^\./, '').toLowerCase();
    const named = request.client;
    const candidates = named
      ? tenant.wopiClients.filter((profile) => ('id' in named ? profile.id === named.id : profile.name === named.name))
      : tenant.wopiClients;
    if (candidates.length === 0) return { status: 'no-client' };
    // An edit session of a file type no client edits opens in a viewer that has it (the token
    // keeps its permissions: a WOPI client may write through its view action, as Office's
    // validator frame does on .wopitest files).
    const actions = request.action === 'edit' ? ['edit', 'view'] : [request.action];
    const documents = new Map<string, WopiDiscovery>();
    for (const action of actions) {
      for (const profile of candidates) {
        let document = documents.get(profile.id);
        if (!document) {
          try {
            document = (await this.discovery.get(profile)).document;
          } catch (error) {
            if (!(error instanceof DiscoveryUnavailableError)) throw error;
            this.logger.warn(
              { err: error, tenantId: tenant.id, profileId: profile.id },
              'no editor: discovery unavailable',
            );
            return { status: 'unavailable', clientName: profile.name, clientProfileId: profile.id };
          }
          documents.set(profile.id, document);
        }
        const found = findAction(document, { ext: extension, action });
        if (found) return this.launch(tenant, profile, found, { ...request, action }, extension);
      }
    }
    const first = candidates[0]!;
    return {
      status: 'unsupported',
      clientName: first.name,
      clientProfileId: first.id,
      action: request.action,
      extension,
    };
  }

  private launch(
    tenant: TenantConfig,
    profile: WopiClientProfileConfig,
    found: FoundAction,
    request: EditorLaunchRequest,
    extension: string,
  ): EditorLaunch {
    const actionUrl = buildActionUrl(found.action.urlsrc, {
      wopiSrc: request.wopiSrc,
      values: actionUrlValues({
        action: request.action,
        locale: request.locale,
        features: tenant.features,
        behaviour: profile.behaviour,
        sessionId: request.sessionId,
      }),
    });
    const actionOrigin = httpOrigin(actionUrl);
    if (!actionOrigin) {
      // The page can neither frame nor check messages from anything but an absolute http(s) URL.
      this.logger.error(
        { tenantId: tenant.id, profileId: profile.id, action: request.action },
        'urlsrc is not http(s)',
      );
      return {
        status: 'unsupported',
        clientName: profile.name,
        clientProfileId: profile.id,
        action: request.action,
        extension,
      };
    }
    return {
      status: 'ready',
      actionUrl,
      actionOrigin,
      ...(found.app.favIconUrl && httpOrigin(found.app.favIconUrl) ? { favIconUrl: found.app.favIconUrl } : {}),
      clientName: profile.name,
      clientProfileId: profile.id,
    };
  }
}

/** The origin of an absolute http(s) URL; undefined for anything else. */
function httpOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}
