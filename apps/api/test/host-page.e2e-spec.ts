import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { PrismaClient } from '@wopi/db';
import { createApp } from '../src/create-app';
import type { SessionResponse } from '../src/session/create-session.dto';
import { startDemoCore, type RunningDemoCore } from '../../../test/support/demo-core';
import { type EditorSessionOptions, openEditorSession } from '../../../test/support/editor-session';
import { testApiEnv } from '../../../test/support/gateway-env';
import { createTestTenant, testPrisma, type TestTenant } from '../../../test/support/test-tenant';
import {
  addDefaultWopiClient,
  STAND_IN_URLSRC,
  startWopiClientStandIn,
  type WopiClientStandIn,
} from './support/wopi-client-stand-in';

const unescapeHtml = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

function directives(csp: string): Record<string, string> {
  return Object.fromEntries(
    csp.split(';').map((directive) => {
      const [name, ...values] = directive.trim().split(/\s+/);
      return [name, values.join(' ')];
    }),
  );
}

/** The host page as a browser gets it; what it does in one is test/browser/host-page.e2e-spec.ts. */
describe('host page', () => {
  let app: NestFastifyApplication;
  let core: RunningDemoCore;
  let prisma: PrismaClient;
  let standIn: WopiClientStandIn;
  let tenant: TestTenant;

  async function open(t: TestTenant, name: string, extra: EditorSessionOptions = {}): Promise<SessionResponse> {
    return openEditorSession(app, t, { fileRef: await core.refOf(name), userId: 'bob', ...extra });
  }

  const load = (session: SessionResponse, extraQuery = '') => {
    const link = new URL(session.hostPageUrl);
    return app.inject({ method: 'GET', url: `${link.pathname}${link.search}${extraQuery}` });
  };

  beforeAll(async () => {
    core = await startDemoCore();
    prisma = testPrisma();
    standIn = await startWopiClientStandIn({
      actions: [
        { name: 'edit', ext: 'docx', urlsrc: STAND_IN_URLSRC },
        { name: 'view', ext: 'docx', urlsrc: STAND_IN_URLSRC },
      ],
      favIconUrl: '{base}/favicon.ico',
    });
    tenant = await createTestTenant(prisma, core);
    await addDefaultWopiClient(prisma, tenant.id, { discoveryUrl: standIn.discoveryUrl, proofKeysRequired: false });
    app = await createApp(testApiEnv());
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    await standIn.close();
    await core.close();
    await prisma.$disconnect();
  });

  it('POSTs access_token and access_token_ttl into the editor frame; the token is in the page, never in a URL', async () => {
    const session = await open(tenant, 'Welcome.docx', { returnUrl: 'https://core.example/files?folder=1' });
    const page = await load(session);
    expect(page.statusCode).toBe(200);
    const html = page.body;

    const form = /<form id="office_form" name="office_form" target="office_frame" action="([^"]+)" method="post">/.exec(
      html,
    );
    expect(form).not.toBeNull();
    expect(unescapeHtml(form![1])).toBe(session.actionUrl);
    expect(session.actionUrl).not.toContain(session.accessToken);
    expect(html).toContain(`<input name="access_token" value="${session.accessToken}" type="hidden">`);
    expect(html).toContain(`<input name="access_token_ttl" value="${session.accessTokenTtl}" type="hidden">`);
    // Exactly once: in the form field, nowhere else (not in the script's settings, not in a URL).
    expect(html.split(session.accessToken)).toHaveLength(2);

    expect(html).toContain('<title>Welcome.docx - ');
    // The favicon discovery publishes for the app (discovery.rst "Favicon URLs").
    expect(html).toContain(`<link rel="icon" href="${standIn.baseUrl}/favicon.ico">`);
    expect(html).toContain('<meta name="viewport" content="width=device-width');

    const config = JSON.parse(/<script type="application\/json" id="host_config">(.*?)<\/script>/s.exec(html)![1]);
    expect(config).toMatchObject({
      actionOrigin: standIn.baseUrl,
      returnUrl: 'https://core.example/files?folder=1',
      extension: '.docx',
      stripParameters: ['ticket', 'wdPreviousSession', 'wdPreviousCorrelation'],
    });
    // The core app's pages for UI_Sharing, UI_FileVersions and UI_Edit (bob may share).
    expect(config.links.share).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ui\/files\//);
    expect(config.links.versions).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ui\/files\//);
    expect(config.links.edit).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ui\/files\/.*action=edit/);
  });

  it('sends the headers hostpage.rst asks for and a CSP that lets in the editor frame and nothing else', async () => {
    const page = await load(await open(tenant, 'Welcome.docx'));
    expect(page.headers).toMatchObject({
      'cache-control': 'no-cache, no-store',
      expires: '-1',
      pragma: 'no-cache',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    });
    const csp = directives(String(page.headers['content-security-policy']));
    const nonce = /<script nonce="([^"]+)">/.exec(page.body)![1];
    expect(csp).toEqual({
      'default-src': "'none'",
      'script-src': `'nonce-${nonce}'`,
      'style-src': `'nonce-${nonce}'`,
      'img-src': `data: ${standIn.baseUrl}`,
      'frame-src': standIn.baseUrl,
      'form-action': standIn.baseUrl,
      'base-uri': "'none'",
      'frame-ancestors': "'self'",
    });
    expect(page.body).toContain(`<style nonce="${nonce}">`);
    // A new nonce for every page.
    const again = await load(await open(tenant, 'Welcome.docx'));
    expect(/<script nonce="([^"]+)">/.exec(again.body)![1]).not.toBe(nonce);
  });

  it("lets only the tenant's allowed ancestors frame the page", async () => {
    const framed = await createTestTenant(prisma, core);
    await addDefaultWopiClient(prisma, framed.id, { discoveryUrl: standIn.discoveryUrl, proofKeysRequired: false });
    await prisma.tenant.update({
      where: { id: framed.id },
      data: { hostPage: { allowedFrameAncestors: ["'self'", 'https://core.example', 'https://x; script-src *'] } },
    });
    const page = await load(await open(framed, 'Welcome.docx'));
    expect(directives(String(page.headers['content-security-policy']))['frame-ancestors']).toBe(
      "'self' https://core.example",
    );
  });

  it('passes wd* parameters to the editor unchanged (hostpage.rst)', async () => {
    const session = await open(tenant, 'Welcome.docx');
    const page = await load(session, '&wdPreviousSession=abc%2Bdef&unrelated=1&wdOrigin=OFFICECOM');
    const action = unescapeHtml(/<form id="office_form"[^>]* action="([^"]+)"/.exec(page.body)![1]);
    expect(action).toBe(`${session.actionUrl}&wdPreviousSession=abc%2Bdef&wdOrigin=OFFICECOM`);
  });

  it('keeps an honest notice where the client has no action for the file type', async () => {
    const session = await open(tenant, 'Budget.xlsx');
    expect(session.actionUrl).toBeNull();
    const page = await load(session);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>Budget.xlsx - ');
    expect(page.body).toContain('The editor &quot;stand-in&quot; offers no &quot;edit&quot; for .xlsx files');
    expect(page.body).not.toContain('office_form');
    expect(page.body).not.toContain(session.accessToken);
    expect(directives(String(page.headers['content-security-policy']))['frame-src']).toBe("'none'");
    expect((await load(session)).statusCode).toBe(410);
  });
});
