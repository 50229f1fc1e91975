import { randomBytes } from 'node:crypto';
import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { type LaunchTicket, LaunchTicketStore } from '@wopi/access-tokens';
import type { File } from '@wopi/db';
import { FileRepository } from '@wopi/file-registry';
import { TenantCache, type TenantConfig } from '@wopi/tenancy';
import { splitFileName } from '@wopi/wopi';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type EditorLaunch, EditorActionService } from '../discovery/editor-action.service';
import { hostPageCsp } from './content-security-policy';
import { type DocumentKind, documentKindOf, faviconDataUrl } from './document-kind';
import { HOST_PAGE_SETTINGS, type HostPageModuleSettings } from './host-page-module-settings';
import { HostPageSettingsRepository } from './host-page-settings.repository';
import { renderEditorPage, renderExpiredLinkPage, renderNoticePage } from './host-page.html';
import { WD_PARAMETERS_TO_REMOVE, withWdParameters } from './wd-parameters';

/**
 * hostpage.rst "Host page headers": never cached ("Cache-Control: no-cache, no-store", "Expires:
 * -1", "Pragma: no-cache"), so a reload after the token expired reaches us again; never leaks its
 * address (it held a launch ticket) in a Referer.
 */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-cache, no-store',
  expires: '-1',
  pragma: 'no-cache',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};
// The expired-link page has no data and no controls; any page that framed a host page may show it.
const EXPIRED_PAGE_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'";
/** How soon the user should retry when the editor's discovery could not be had. */
const EDITOR_UNAVAILABLE_RETRY_SECONDS = 30;

/** What every page about one document shows, whether it holds the editor or a notice. */
interface PageBasics {
  file: File;
  kind: DocumentKind;
  nonce: string;
  title: string;
  allowedFrameAncestors: string[];
}

/** GET /host/{fileId}?ticket=: the page that opens the document in the tenant's WOPI client. */
@Controller('host')
export class HostPageController {
  constructor(
    private readonly tickets: LaunchTicketStore,
    private readonly files: FileRepository,
    private readonly tenants: TenantCache,
    private readonly editors: EditorActionService,
    private readonly pageSettings: HostPageSettingsRepository,
    @Inject(HOST_PAGE_SETTINGS) private readonly settings: HostPageModuleSettings,
  ) {}

  @Get(':fileId')
  async open(
    @Param('fileId') fileId: string,
    @Query('ticket') ticketId: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    // Read, not spent yet: if the editor is unreachable for a moment, a reload can still use it.
    const ticket = ticketId ? await this.tickets.peek(ticketId) : null;
    const file = ticket && ticket.fileId === fileId ? await this.files.findForTenant(ticket.tenantId, fileId) : null;
    const tenant = file ? await this.tenants.findById(file.tenantId) : null;
    if (!ticket || !file || !tenant) {
      // A ticket shown with the wrong file is burnt: it has been seen where it should not be.
      if (ticketId) await this.tickets.consume(ticketId);
      return this.expired(reply);
    }

    const kind = documentKindOf(file.name);
    const sessionClientId = ticket.clientProfileId ?? tenant.wopiClient?.id;
    const editor = await this.editors.resolve(tenant, {
      fileName: file.name,
      action: ticket.action,
      locale: ticket.locale,
      sessionId: ticket.sessionId,
      wopiSrc: `${this.settings.publicBaseUrl}/wopi/files/${file.id}`,
      // The client the session was opened with, whose proof keys its token is checked against.
      ...(sessionClientId ? { client: { id: sessionClientId } } : {}),
    });
    const { allowedFrameAncestors } = await this.pageSettings.forTenant(tenant.id);
    const nonce = randomBytes(16).toString('base64');
    const page: PageBasics = {
      file,
      kind,
      nonce,
      title: `${file.name} - ${tenant.displayName}`,
      allowedFrameAncestors,
    };

    if (editor.status === 'unavailable') {
      return this.noticePage(reply.code(503).header('retry-after', String(EDITOR_UNAVAILABLE_RETRY_SECONDS)), page, [
        `The editor "${editor.clientName}" is not reachable right now.`,
        'Reload this page in a moment to try again.',
      ]);
    }
    // From here on the page is served: the ticket is spent (GETDEL; a concurrent load lost the race).
    const spent = await this.tickets.consume(ticketId!);
    if (!spent) return this.expired(reply);

    if (editor.status !== 'ready') {
      return this.noticePage(reply.code(200), page, [
        `${kind.label} of ${tenant.displayName}.`,
        noEditorReason(editor),
      ]);
    }
    return this.editorPage(reply, { ...page, request, ticket, tenant, editor });
  }

  /** A page in the editor's place: the document's name and why it cannot be opened (yet). */
  private noticePage(reply: FastifyReply, page: PageBasics, paragraphs: string[]) {
    const { file, kind, nonce } = page;
    return reply
      .headers(PAGE_HEADERS)
      .header('content-security-policy', hostPageCsp({ nonce, frameAncestors: page.allowedFrameAncestors }))
      .send(
        renderNoticePage({
          title: page.title,
          faviconUrl: faviconDataUrl(kind),
          nonce,
          accentColour: kind.colour,
          heading: file.name,
          paragraphs,
        }),
      );
  }

  private editorPage(
    reply: FastifyReply,
    page: PageBasics & {
      request: FastifyRequest;
      ticket: LaunchTicket;
      tenant: TenantConfig;
      editor: Extract<EditorLaunch, { status: 'ready' }>;
    },
  ) {
    const { request, ticket, file, tenant, editor, kind, nonce } = page;
    const rawUrl = request.raw.url ?? request.url;
    const rawQuery = rawUrl.includes('?') ? rawUrl.slice(rawUrl.indexOf('?') + 1) : '';
    const faviconUrl = editor.favIconUrl ?? faviconDataUrl(kind);
    const csp = hostPageCsp({
      nonce,
      frameAncestors: page.allowedFrameAncestors,
      editorOrigin: editor.actionOrigin,
      faviconOrigin: editor.favIconUrl ? new URL(editor.favIconUrl).origin : undefined,
    });
    return reply
      .code(200)
      .headers(PAGE_HEADERS)
      .header('content-security-policy', csp)
      .send(
        renderEditorPage({
          title: page.title,
          faviconUrl,
          nonce,
          actionUrl: withWdParameters(editor.actionUrl, rawQuery),
          accessToken: ticket.accessToken,
          accessTokenTtl: ticket.accessTokenTtl,
          config: {
            actionOrigin: editor.actionOrigin,
            returnUrl: ticket.returnUrl ?? null,
            links: ticket.links ?? {},
            tenantName: tenant.displayName,
            extension: splitFileName(file.name).extension,
            frameTitle: `${file.name} (${kind.label.toLowerCase()} editor)`,
            stripParameters: ['ticket', ...WD_PARAMETERS_TO_REMOVE],
            text: {
              sharing: { title: `Share ${file.name}`, link: `Open sharing in ${tenant.displayName}` },
              versions: { title: `Versions of ${file.name}`, link: `Open version history in ${tenant.displayName}` },
            },
          },
        }),
      );
  }

  private expired(reply: FastifyReply) {
    return reply
      .code(410)
      .headers(PAGE_HEADERS)
      .header('content-security-policy', EXPIRED_PAGE_CSP)
      .send(renderExpiredLinkPage());
  }
}

function noEditorReason(editor: Exclude<EditorLaunch, { status: 'ready' | 'unavailable' }>): string {
  switch (editor.status) {
    case 'no-client':
      return 'No WOPI client editor is configured for this tenant, so the document cannot be opened here.';
    case 'unsupported':
      return editor.extension
        ? `The editor "${editor.clientName}" offers no "${editor.action}" for .${editor.extension} files, so the document cannot be opened here.`
        : `The editor "${editor.clientName}" cannot open files without an extension.`;
  }
}
