import { Injectable, Logger } from '@nestjs/common';
import type { TenantConfig } from '@wopi/tenancy';
import { buildActionUrl, findAction, splitFileName } from '@wopi/wopi';
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
    }
  /** The tenant has no default WOPI-client profile. */
  | { status: 'no-client' }
  /** The client's discovery has no such action for this file type. */
  | { status: 'unsupported'; clientName: string; action: string; extension: string }
  /** The client's discovery could not be had. */
  | { status: 'unavailable'; clientName: string };

/** Picks the action for a file from the tenant's default profile's discovery and builds its URL. */
@Injectable()
export class EditorActionService {
  private readonly logger = new Logger(EditorActionService.name);

  constructor(private readonly discovery: DiscoveryService) {}

  async resolve(tenant: TenantConfig, request: EditorLaunchRequest): Promise<EditorLaunch> {
    const profile = tenant.wopiClient;
    if (!profile) return { status: 'no-client' };
    let loaded;
    try {
      loaded = await this.discovery.get(profile);
    } catch (error) {
      if (!(error instanceof DiscoveryUnavailableError)) throw error;
      this.logger.warn({ err: error, tenantId: tenant.id, profileId: profile.id }, 'no editor: discovery unavailable');
      return { status: 'unavailable', clientName: profile.name };
    }
    const extension = splitFileName(request.fileName).extension.replace(/^\./, '').toLowerCase();
    const found = findAction(loaded.document, { ext: extension, action: request.action });
    if (!found) return { status: 'unsupported', clientName: profile.name, action: request.action, extension };
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
      return { status: 'unsupported', clientName: profile.name, action: request.action, extension };
    }
    return {
      status: 'ready',
      actionUrl,
      actionOrigin,
      ...(found.app.favIconUrl && httpOrigin(found.app.favIconUrl) ? { favIconUrl: found.app.favIconUrl } : {}),
      clientName: profile.name,
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
