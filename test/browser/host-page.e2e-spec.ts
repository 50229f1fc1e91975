/**
 * The host page in a real browser (Debian's Chromium driven by playwright-core): a core app opens a
 * session, the user's browser opens the host page, the page POSTs the token into a stand-in WOPI
 * editor frame and the two talk over PostMessage until the editor closes and the user lands on the
 * session's return URL. The token must never appear in a URL the browser requests.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { PrismaClient } from '@wopi/db';
import { type Browser, chromium } from 'playwright-core';
import { createApp } from '../../apps/api/src/create-app';
import {
  addDefaultWopiClient,
  STAND_IN_URLSRC,
  startWopiClientStandIn,
  type WopiClientStandIn,
} from '../../apps/api/test/support/wopi-client-stand-in';
import { freePort } from '../support/api-process';
import { startDemoCore, type RunningDemoCore } from '../support/demo-core';
import { testApiEnv } from '../support/gateway-env';
import { createTestTenant, testPrisma, type TestTenant } from '../support/test-tenant';
import { CHROMIUM_ARGS, ensureChromium } from './ensure-chromium';
import { waitFor } from '../support/wait-for';

const SCREENSHOT = path.resolve(__dirname, '../../test-results/host-page.png');
const SHARING_SCREENSHOT = path.resolve(__dirname, '../../test-results/host-page-sharing.png');

interface Session {
  fileId: string;
  accessToken: string;
  accessTokenTtl: number;
  actionUrl: string | null;
  hostPageUrl: string;
}

describe('host page in a browser', () => {
  let browser: Browser;
  let app: NestFastifyApplication;
  let apiUrl: string;
  let core: RunningDemoCore;
  let prisma: PrismaClient;
  let standIn: WopiClientStandIn;
  let tenant: TestTenant;

  beforeAll(
    async () => {
      const executablePath = ensureChromium();
      core = await startDemoCore();
      prisma = testPrisma();
      standIn = await startWopiClientStandIn({ actions: [{ name: 'edit', ext: 'docx', urlsrc: STAND_IN_URLSRC }] });
      tenant = await createTestTenant(prisma, core);
      await addDefaultWopiClient(prisma, tenant.id, { discoveryUrl: standIn.discoveryUrl, proofKeysRequired: false });
      // The gateway listens where its PUBLIC_BASE_URL says: host-page links and PostMessageOrigin use it.
      const port = await freePort();
      apiUrl = `http://127.0.0.1:${port}`;
      app = await createApp(testApiEnv({ PUBLIC_BASE_URL: apiUrl }));
      await app.listen({ port, host: '127.0.0.1' });
      standIn.setHostOrigin(apiUrl);
      browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    },
    20 * 60 * 1000,
  );

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await standIn?.close();
    await core?.close();
    await prisma?.$disconnect();
  });

  it('POSTs the token into the editor frame, talks PostMessage with it, and closes to the return URL', async () => {
    const returnUrl = `${standIn.baseUrl}/core-app/folders/shared?from=editor`;
    const response = await fetch(`${apiUrl}/api/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.sessionApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fileRef: await core.refOf('Welcome.docx'), userId: 'bob', returnUrl, locale: 'en-GB' }),
    });
    expect(response.status).toBe(201);
    const session = (await response.json()) as Session;
    expect(session.actionUrl).toContain(`${standIn.baseUrl}/editor/edit?`);

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const requested: string[] = [];
    const consoleErrors: string[] = [];
    // Every request of every page and frame of the context, popups included.
    context.on('request', (request) => requested.push(request.url()));
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });

    try {
      await page.goto(session.hostPageUrl);
      // The editor frame got the form POST and answered App_LoadingStatus after Host_PostmessageReady.
      await page.waitForSelector('body[data-editor-loaded="true"]', { state: 'attached', timeout: 15_000 });
      expect(standIn.launches).toHaveLength(1);
      const [launch] = standIn.launches;
      expect(launch.path).toBe('/editor/edit');
      expect(launch.contentType).toBe('application/x-www-form-urlencoded');
      expect(launch.fields.get('access_token')).toBe(session.accessToken);
      expect(launch.fields.get('access_token_ttl')).toBe(String(session.accessTokenTtl));
      expect(launch.query.get('WOPISrc')).toBe(`${apiUrl}/wopi/files/${session.fileId}`);
      expect(launch.query.get('ui')).toBe('en-GB');

      // The spent ticket is gone from the address bar.
      expect(page.url()).toBe(`${apiUrl}/host/${session.fileId}`);
      // File_Rename: the title follows the new name (extension kept).
      // (Expressions as text: this project compiles without the DOM library.)
      await page.waitForFunction("document.title.startsWith('Renamed by the editor.docx - ')");
      // UI_Sharing: a dialog linking to the core app's sharing page; Blur_Focus while it is open.
      const shareLink = page.locator('#host_dialog_link');
      await shareLink.waitFor({ state: 'visible' });
      expect(await shareLink.getAttribute('href')).toMatch(/\/ui\/files\/.*#/);
      await mkdir(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SHARING_SCREENSHOT });
      await page.click('#host_dialog_close');
      await page.locator('#host_dialog').waitFor({ state: 'hidden' });
      await waitFor(() => standIn.hostMessages.some((m) => m.MessageId === 'Grab_Focus'), 'Grab_Focus');
      expect(standIn.hostMessages.map((m) => m.MessageId)).toEqual(
        expect.arrayContaining(['Host_PostmessageReady', 'Host_PerfTiming', 'Blur_Focus', 'Grab_Focus']),
      );
      // Every message went to the editor's origin and came from the gateway's.
      expect(new Set(standIn.hostMessages.map((m) => m.origin))).toEqual(new Set([apiUrl]));

      // A UI_Close that does not come from the editor's origin is ignored.
      await page.evaluate(
        "window.postMessage(JSON.stringify({ MessageId: 'UI_Close', SendTime: Date.now(), Values: {} }), '*')",
      );
      await page.waitForTimeout(300);
      expect(page.url()).toBe(`${apiUrl}/host/${session.fileId}`);

      await page.screenshot({ path: SCREENSHOT });

      // UI_Close from the editor: back to the core app.
      standIn.releaseClose();
      await page.waitForURL(returnUrl, { timeout: 15_000 });
      expect(await page.textContent('h1')).toBe('Back in the core app');
    } finally {
      await context.close();
    }

    expect(requested).toEqual(
      expect.arrayContaining([
        session.hostPageUrl,
        expect.stringContaining(`${standIn.baseUrl}/editor/edit?`),
        returnUrl,
      ]),
    );
    for (const url of requested) {
      expect({ url, hasToken: url.includes(session.accessToken) }).toEqual({ url, hasToken: false });
      expect({ url, hasToken: url.includes(encodeURIComponent(session.accessToken)) }).toEqual({
        url,
        hasToken: false,
      });
    }
    // The page's nonce'd script and style ran under its CSP without a violation.
    expect(consoleErrors.filter((text) => /Content Security Policy/i.test(text))).toEqual([]);
  }, 60_000);
});
