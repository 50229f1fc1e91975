import { FastifyPluginAsync, FastifyReply } from 'fastify';
import { DocumentsService } from '../documents/documents.service';
import { CoreHeader } from '../http/core-header';
import { RefParams, refParamsSchema } from '../http/request-schemas';
import { FilePermissions } from '../users/file-permissions';
import { Html, html } from './html';
import { BRAND_NAME, FOLDER_NAME, UI_PREFIX } from './ui-links';

export interface UiRoutesOptions {
  readonly documents: DocumentsService;
}

// Inline styles only, no scripts, no framing: these pages show user-chosen names.
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const PERMISSION_NAMES: readonly (keyof FilePermissions)[] = [
  'read',
  'write',
  'rename',
  'delete',
  'createSibling',
  'share',
];
const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #ddd}
code{font-size:.85em;word-break:break-all}nav{margin-bottom:1rem;color:#666}.note{background:#fff6d5;padding:.6rem}`;

/**
 * demo-core's own pages, for humans: what a core app's UI is to the editor's "close", "share"
 * and breadcrumb links. Read-only and unauthenticated; they show names, versions and access.
 */
export const uiRoutes: FastifyPluginAsync<UiRoutesOptions> = async (app, { documents }) => {
  app.get(UI_PREFIX, async (_request, reply) => {
    const rows = documents.listFiles().map(
      (file) =>
        html`<tr>
          <td><a href="${UI_PREFIX}/files/${encodeURIComponent(file.ref)}">${file.name}</a></td>
          <td>${file.version}</td>
          <td>${formatBytes(file.size)}</td>
          <td>${file.lastModifiedTime}</td>
        </tr>`,
    );
    return sendPage(
      reply,
      200,
      FOLDER_NAME,
      html`<nav>${BRAND_NAME} · <a href="/">Your files (sign in)</a></nav>
        <h1>${FOLDER_NAME}</h1>
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Version</th>
              <th>Size</th>
              <th>Last modified (UTC)</th>
            </tr>
          </thead>
          <tbody>
            ${rows}
          </tbody>
        </table>`,
    );
  });

  app.get<{ Params: RefParams; Querystring: { action?: string } }>(
    `${UI_PREFIX}/files/:ref`,
    { schema: { params: refParamsSchema } },
    async (request, reply) => {
      const folderLink = html`<nav><a href="${UI_PREFIX}">${BRAND_NAME} › ${FOLDER_NAME}</a></nav>`;
      const overview = documents.overview(request.params.ref);
      if (overview === undefined) {
        return sendPage(
          reply,
          404,
          'Not found',
          html`${folderLink}
            <h1>No such document</h1>`,
        );
      }
      const { summary, access } = overview;
      const editNote =
        request.query.action === 'edit'
          ? html`<p class="note">
              Documents are edited in the office editor, opened through the WOPI Gateway's session API. demo-core's own
              pages are read-only.
            </p>`
          : '';
      const accessRows = access.map(
        ({ user, permissions }) =>
          html`<tr>
            <td>${user.displayName} (${user.id})</td>
            <td>${PERMISSION_NAMES.filter((name) => permissions[name]).join(', ') || 'no access'}</td>
          </tr>`,
      );
      return sendPage(
        reply,
        200,
        summary.name,
        html`${folderLink}
          <h1>${summary.name}</h1>
          ${editNote}
          <table>
            <tr>
              <th>Ref</th>
              <td><code>${summary.ref}</code></td>
            </tr>
            <tr>
              <th>Owner</th>
              <td>${summary.ownerId}</td>
            </tr>
            <tr>
              <th>Size</th>
              <td>${formatBytes(summary.size)}</td>
            </tr>
          </table>
          <h2 id="versions">Versions</h2>
          <p>demo-core keeps the current version only.</p>
          <table>
            <thead>
              <tr>
                <th>Version</th>
                <th>Last modified (UTC)</th>
                <th>SHA-256</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td>${summary.version}</td>
                <td>${summary.lastModifiedTime}</td>
                <td><code>${summary.sha256}</code></td>
              </tr>
            </tbody>
          </table>
          <h2 id="access">Access</h2>
          <p>Roles apply to every document; the owner may do everything.</p>
          <table>
            <thead>
              <tr>
                <th>User</th>
                <th>Permissions</th>
              </tr>
            </thead>
            <tbody>
              ${accessRows}
            </tbody>
          </table>`,
      );
    },
  );
};

function sendPage(reply: FastifyReply, status: number, title: string, body: Html): FastifyReply {
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} – ${BRAND_NAME}</title>
        <style>
          ${new Html(STYLE)}
        </style>
      </head>
      <body>
        ${body}
      </body>
    </html> `;
  return reply
    .code(status)
    .header(CoreHeader.ContentType, 'text/html; charset=utf-8')
    .header(CoreHeader.ContentSecurityPolicy, CONTENT_SECURITY_POLICY)
    .header(CoreHeader.XContentTypeOptions, 'nosniff')
    .header(CoreHeader.ReferrerPolicy, 'no-referrer')
    .header(CoreHeader.CacheControl, 'no-store')
    .send(page.value);
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
