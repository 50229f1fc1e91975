import Busboy from 'busboy';
import { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { DemoCoreError, DemoCoreErrorCode } from '../demo-core.error';
import { DocumentsService, FileMetadata } from '../documents/documents.service';
import { CoreHeader } from '../http/core-header';
import { buildBudgetXlsx } from '../samples/budget-xlsx';
import { buildRoadmapPptx } from '../samples/roadmap-pptx';
import { buildWelcomeDocx } from '../samples/welcome-docx';
import { ShareRole } from '../sharing/share-store';
import { Html, html } from '../ui/html';
import { BRAND_NAME } from '../ui/ui-links';
import { DEMO_USERS, findDemoUser } from '../users/demo-users';
import { GatewaySessions, OpenAction } from './gateway-sessions';
import { DEMO_PASSWORD, PageSessions, readCookie, SESSION_COOKIE, SESSION_TTL_MS } from './page-session';

export interface PagesRoutesOptions {
  readonly documents: DocumentsService;
  readonly sessions: PageSessions;
  readonly gateway: GatewaySessions;
  /** Origin of the gateway's host pages: a form POST that redirects there must be allowed by the CSP. */
  readonly gatewayOrigin?: string;
}

/** The new documents the pages offer; each is opened with editnew (createnew.rst). */
const NEW_DOCUMENTS = {
  docx: { label: 'Word document', app: 'Word', name: 'New Document.docx', template: buildWelcomeDocx },
  xlsx: { label: 'Excel workbook', app: 'Excel', name: 'New Workbook.xlsx', template: buildBudgetXlsx },
  pptx: {
    label: 'PowerPoint presentation',
    app: 'PowerPoint',
    name: 'New Presentation.pptx',
    template: buildRoadmapPptx,
  },
} as const;
type NewKind = keyof typeof NEW_DOCUMENTS;

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
form{display:inline;margin:0}fieldset{margin:1rem 0;border:1px solid #ccc}.note{background:#fff6d5;padding:.6rem}
.error{background:#fde2e1;padding:.6rem}header{display:flex;justify-content:space-between;align-items:center}`;

/**
 * demo-core's pages for signed-in users: what a core app's own UI does around the gateway. Sign
 * in, list one's files, upload any file, share it, and open it "in … for the web" (a session
 * from the gateway, then the browser goes to its host page). Plain HTML forms, no scripts.
 */
export const pagesRoutes: FastifyPluginAsync<PagesRoutesOptions> = async (app, options) => {
  const { documents, sessions, gateway } = options;
  const csp =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'; " +
    `form-action 'self'${options.gatewayOrigin === undefined ? '' : ` ${options.gatewayOrigin}`}`;

  // Sign-in, share and open forms are application/x-www-form-urlencoded; small, so buffered.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 64 * 1024 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
  // Uploads are parsed by busboy from the raw stream in the route, never buffered.
  app.addContentTypeParser('multipart/form-data', (_request, payload, done) => done(null, payload));

  const send = (reply: FastifyReply, status: number, title: string, body: Html) =>
    reply
      .code(status)
      .header(CoreHeader.ContentType, 'text/html; charset=utf-8')
      .header(CoreHeader.ContentSecurityPolicy, csp)
      .header(CoreHeader.XContentTypeOptions, 'nosniff')
      .header(CoreHeader.ReferrerPolicy, 'no-referrer')
      .header(CoreHeader.CacheControl, 'no-store')
      .send(page(title, body).value);

  const signedIn = (request: FastifyRequest) => sessions.verify(readCookie(request.headers.cookie, SESSION_COOKIE));
  /** The signed-in user, or a redirect to the sign-in page (undefined). */
  const requireUser = (request: FastifyRequest, reply: FastifyReply): string | undefined => {
    const userId = signedIn(request);
    if (userId === undefined) void reply.redirect('/', 303);
    return userId;
  };
  const fail = (reply: FastifyReply, status: number, message: string) =>
    send(
      reply,
      status,
      'Not done',
      html`<p class="error">${message}</p>
        <p><a href="/files">Back to my files</a></p>`,
    );

  app.get('/', async (request, reply) => {
    if (signedIn(request) !== undefined) return reply.redirect('/files', 303);
    const accounts = DEMO_USERS.map(
      (user) =>
        html`<tr>
          <td><code>${user.id}</code></td>
          <td>${user.displayName}</td>
          <td>${user.role}</td>
        </tr>`,
    );
    const options = DEMO_USERS.map((user) => html`<option value="${user.id}">${user.displayName}</option>`);
    return send(
      reply,
      200,
      'Sign in',
      html`<h1>${BRAND_NAME}: sign in</h1>
        <p class="note">
          A test system for the WOPI Gateway. Every account's password is <code>${DEMO_PASSWORD}</code>.
        </p>
        <form method="post" action="/sign-in">
          <label
            >User
            <select name="user">
              ${options}
            </select></label
          >
          <label>Password <input name="password" type="password" required /></label>
          <button type="submit">Sign in</button>
        </form>
        <h2>Accounts</h2>
        <table>
          <thead>
            <tr>
              <th>User</th>
              <th>Name</th>
              <th>Role (on shared workspace documents)</th>
            </tr>
          </thead>
          <tbody>
            ${accounts}
          </tbody>
        </table>`,
    );
  });

  app.post<{ Body: Record<string, string> | undefined }>('/sign-in', async (request, reply) => {
    const userId = request.body?.user ?? '';
    if (findDemoUser(userId) === undefined || request.body?.password !== DEMO_PASSWORD) {
      return send(
        reply,
        401,
        'Sign in',
        html`<p class="error">Unknown user or wrong password.</p>
          <p><a href="/">Try again</a></p>`,
      );
    }
    // Lax: sent on the navigation back from the editor, not on another site's form POST (CSRF).
    void reply.header(
      'set-cookie',
      `${SESSION_COOKIE}=${sessions.issue(userId)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_TTL_MS / 1000}`,
    );
    return reply.redirect('/files', 303);
  });

  app.post('/sign-out', async (_request, reply) => {
    void reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
    return reply.redirect('/', 303);
  });

  app.get('/files', async (request, reply) => {
    const userId = requireUser(request, reply);
    if (userId === undefined) return reply;
    const user = findDemoUser(userId)!;
    const rows = documents.filesFor(userId).map((file) => fileRow(file, userId, documents.sharesOf(file.ref)));
    const newButtons = (Object.keys(NEW_DOCUMENTS) as NewKind[]).map(
      (kind) =>
        html`<form method="post" action="/new">
          <input type="hidden" name="kind" value="${kind}" /><button type="submit" data-new="${kind}">
            New ${NEW_DOCUMENTS[kind].label}
          </button>
        </form> `,
    );
    return send(
      reply,
      200,
      'My files',
      html`<header>
          <h1>${user.displayName}'s files</h1>
          <form method="post" action="/sign-out"><button type="submit">Sign out ${user.id}</button></form>
        </header>
        ${
          gateway.configured
            ? ''
            : html`<p class="note">No gateway configured: documents cannot be opened from here.</p>`
        }
        <fieldset>
          <legend>Upload any file</legend>
          <form method="post" action="/files" enctype="multipart/form-data">
            <input type="file" name="file" required /> <button type="submit" id="upload">Upload</button>
          </form>
        </fieldset>
        <fieldset>
          <legend>New document</legend>
          ${newButtons}
        </fieldset>
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Owner</th>
              <th>Version</th>
              <th>Size</th>
              <th>Your access</th>
              <th>Open</th>
              <th>Share</th>
            </tr>
          </thead>
          <tbody>
            ${rows}
          </tbody>
        </table>`,
    );
  });

  app.post('/files', async (request, reply) => {
    const userId = requireUser(request, reply);
    if (userId === undefined) return reply;
    const file = await firstUploadedFile(request);
    if (file === undefined) return fail(reply, 400, 'Choose a file to upload.');
    try {
      await documents.createFromPage(userId, file.name, file.stream);
    } catch (error) {
      file.stream.resume();
      if (error instanceof DemoCoreError) {
        return fail(reply, error.code === DemoCoreErrorCode.PayloadTooLarge ? 413 : 400, error.message);
      }
      throw error;
    }
    return reply.redirect('/files', 303);
  });

  app.post<{ Params: { ref: string }; Body: Record<string, string> | undefined }>(
    '/files/:ref/share',
    async (request, reply) => {
      const userId = requireUser(request, reply);
      if (userId === undefined) return reply;
      const role = request.body?.role;
      const target = request.body?.user ?? '';
      const shareRole = role === ShareRole.Editor || role === ShareRole.Viewer ? role : undefined;
      if (role !== 'none' && shareRole === undefined) return fail(reply, 400, 'Choose editor, viewer or none.');
      try {
        await documents.share(request.params.ref, userId, target, shareRole);
      } catch (error) {
        if (error instanceof DemoCoreError) return fail(reply, 403, error.message);
        throw error;
      }
      return reply.redirect('/files', 303);
    },
  );

  app.post<{ Params: { ref: string }; Body: Record<string, string> | undefined }>(
    '/files/:ref/open',
    async (request, reply) => {
      const userId = requireUser(request, reply);
      if (userId === undefined) return reply;
      const asked = request.body?.action;
      if (asked !== 'view' && asked !== 'edit') return fail(reply, 400, 'Open for view or edit.');
      try {
        const file = documents.getMetadata(request.params.ref, userId);
        // createnew.rst: a zero-byte Office file is always opened with editnew.
        const action: OpenAction = asked === 'edit' && file.size === 0 && isNewKind(file.name) ? 'editnew' : asked;
        const session = await gateway.open(file.ref, userId, action);
        if (session.actionUrl !== null || action !== 'editnew') return reply.redirect(session.hostPageUrl, 303);
        return await fillAndEdit(reply, file.ref, userId, file.name);
      } catch (error) {
        if (error instanceof DemoCoreError) return fail(reply, 403, error.message);
        throw error;
      }
    },
  );

  app.post<{ Body: Record<string, string> | undefined }>('/new', async (request, reply) => {
    const userId = requireUser(request, reply);
    if (userId === undefined) return reply;
    const kind = request.body?.kind ?? '';
    if (!isNewKindKey(kind)) return fail(reply, 400, 'Choose Word, Excel or PowerPoint.');
    try {
      // createnew.rst: the host creates a zero-byte file and opens it with editnew; the WOPI
      // client writes its own blank document with PutFile.
      const file = await documents.createFromPage(userId, NEW_DOCUMENTS[kind].name, Readable.from([]));
      const session = await gateway.open(file.ref, userId, 'editnew');
      if (session.actionUrl !== null) return reply.redirect(session.hostPageUrl, 303);
      return await fillAndEdit(reply, file.ref, userId, file.name);
    } catch (error) {
      if (error instanceof DemoCoreError) return fail(reply, 400, error.message);
      throw error;
    }
  });

  /**
   * No client of the tenant offers editnew for this type (the demo editor has view and edit
   * only, and cannot open a zero-byte package): demo-core writes its own starting document, a
   * valid package of the type, and opens that for editing instead.
   */
  async function fillAndEdit(reply: FastifyReply, ref: string, userId: string, name: string): Promise<FastifyReply> {
    const kind = extensionOf(name) as NewKind;
    const user = findDemoUser(userId)!;
    const bytes = NEW_DOCUMENTS[kind].template({ author: user.displayName, createdAt: new Date() });
    await documents.writeFromPage(ref, userId, Readable.from([bytes]));
    const session = await gateway.open(ref, userId, 'edit');
    return reply.redirect(session.hostPageUrl, 303);
  }
};

const PERMISSION_NAMES = ['read', 'write', 'rename', 'delete', 'createSibling', 'share'] as const;
const APP_NAMES: Readonly<Record<string, string>> = {
  docx: 'Word',
  odt: 'Word',
  txt: 'Word',
  xlsx: 'Excel',
  pptx: 'PowerPoint',
};

/** One row of the file list: access, the "Open in … for the web" entries and the share form. */
function fileRow(file: FileMetadata, userId: string, shares: Readonly<Record<string, ShareRole>> | undefined): Html {
  const action = `/files/${encodeURIComponent(file.ref)}`;
  const app = APP_NAMES[extensionOf(file.name)];
  const where = app === undefined ? 'the WOPI client' : `${app} for the web`;
  const openForm = (mode: 'view' | 'edit', label: string) =>
    html`<form method="post" action="${action}/open">
      <input type="hidden" name="action" value="${mode}" /><button type="submit" data-open="${mode}">${label}</button>
    </form> `;
  const sharedWith = Object.entries(shares ?? {}).map(([user, role]) => html`<li>${user}: ${role}</li>`);
  const others = DEMO_USERS.filter((user) => user.id !== userId && user.id !== file.ownerId).map(
    (user) => html`<option value="${user.id}">${user.displayName}</option>`,
  );
  return html`<tr data-file="${file.name}" data-ref="${file.ref}">
    <td>${file.name}</td>
    <td>${file.ownerId}</td>
    <td>${file.version}</td>
    <td>${file.size} B</td>
    <td>${PERMISSION_NAMES.filter((name) => file.permissions[name]).join(', ')}</td>
    <td>
      ${openForm('view', `View in ${where}`)} ${file.permissions.write ? openForm('edit', `Edit in ${where}`) : ''}
    </td>
    <td>
      ${
        sharedWith.length > 0
          ? html`<ul>
              ${sharedWith}
            </ul>`
          : ''
      }
      ${
        file.permissions.share
          ? html`<form method="post" action="${action}/share">
              <select name="user">
                ${others}
              </select>
              <select name="role">
                <option value="editor">as editor</option>
                <option value="viewer">as viewer</option>
                <option value="none">remove share</option>
              </select>
              <button type="submit" data-share="${file.name}">Share</button>
            </form>`
          : ''
      }
    </td>
  </tr>`;
}

/** The first file part of a multipart upload, as a stream (the caller must consume it). */
function firstUploadedFile(request: FastifyRequest): Promise<{ name: string; stream: Readable } | undefined> {
  return new Promise((resolve, reject) => {
    let parser: Busboy.Busboy;
    try {
      parser = Busboy({ headers: request.headers, limits: { files: 1 }, defParamCharset: 'utf8' });
    } catch {
      resolve(undefined);
      return;
    }
    let found = false;
    parser.on('file', (_field, stream, info) => {
      const name = info.filename;
      if (found || name === undefined || name === '') {
        stream.resume();
        return;
      }
      found = true;
      resolve({ name, stream });
    });
    parser.on('error', reject);
    parser.on('close', () => {
      if (!found) resolve(undefined);
    });
    (request.body as Readable).pipe(parser);
  });
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

function isNewKindKey(kind: string): kind is NewKind {
  return Object.prototype.hasOwnProperty.call(NEW_DOCUMENTS, kind);
}

function isNewKind(name: string): boolean {
  return isNewKindKey(extensionOf(name));
}

function page(title: string, body: Html): Html {
  return html`<!doctype html>
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
    </html>`;
}
