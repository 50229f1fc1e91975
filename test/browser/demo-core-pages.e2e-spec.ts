/**
 * The demo core app as a verification test system, in a real browser (Debian's Chromium via
 * playwright-core), through the real gateway, demo editor and worker: two users sign in to
 * demo-core's pages, alice uploads a document (private to her) and shares it with bob, both open
 * it with "Edit in Word for the web" (demo-core asks the gateway for a session, the browser goes
 * to the host page), each saves a change and sees the other's, and the file written back to
 * demo-core is a valid document LibreOffice reads both changes from. Screenshots go to
 * test-results/demo-core-pages/.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { signRequest } from '@wopi/core-app-client';
import type { PrismaClient } from '@wopi/db';
import type { FastifyInstance } from 'fastify';
import { type Browser, type BrowserContext, chromium, type Frame, type Page } from 'playwright-core';
import { createApp } from '../../apps/api/src/create-app';
import { createDemoCore } from '../../apps/demo-core/src/create-demo-core';
import { DEMO_PASSWORD } from '../../apps/demo-core/src/pages/page-session';
import { buildWelcomeDocx } from '../../apps/demo-core/src/samples/welcome-docx';
import { createDemoEditor } from '../../apps/demo-editor/src/create-demo-editor';
import { readDocumentText } from '../../apps/demo-editor/src/documents/document-text';
import { createWorker } from '../../apps/worker/src/create-worker';
import { ensureLibreOffice, ENSURE_LIBREOFFICE_TIMEOUT_MS } from '../../libs/conversion/test/ensure-libreoffice';
import { freePort } from '../support/api-process';
import { testApiEnv, testWorkerEnv } from '../support/gateway-env';
import { createTestTenant, testPrisma } from '../support/test-tenant';
import { waitFor } from '../support/wait-for';
import { CHROMIUM_ARGS, ensureChromium } from './ensure-chromium';

const RESULTS = path.resolve(__dirname, '../../test-results/demo-core-pages');
const CORE_SECRET = `browser-test-${Math.random().toString(36).slice(2)}-secret`;

describe('demo core app pages in a browser', () => {
  let browser: Browser;
  let prisma: PrismaClient;
  let core: FastifyInstance;
  let coreUrl: string;
  let coreDataDir: string;
  let editor: FastifyInstance;
  let keysDir: string;
  let app: NestFastifyApplication;
  let worker: INestApplicationContext;
  let lastTimestampMs = 0;

  beforeAll(
    async () => {
      const executablePath = ensureChromium();
      await ensureLibreOffice();
      await mkdir(RESULTS, { recursive: true });
      prisma = testPrisma();
      keysDir = await mkdtemp(path.join(tmpdir(), 'demo-core-pages-keys-'));
      editor = await createDemoEditor({
        host: '127.0.0.1',
        port: 0,
        keysDir,
        pollMs: 400,
        refreshLockMs: 1500,
        staleAfterMs: 60_000,
        wopiTimeoutMs: 20_000,
        logLevel: 'silent',
      });
      const editorUrl = await editor.listen({ host: '127.0.0.1', port: 0 });

      // demo-core needs the gateway's URL and the tenant's key, the tenant demo-core's URL:
      // both ports are chosen first.
      const corePort = await freePort();
      const apiPort = await freePort();
      coreUrl = `http://127.0.0.1:${corePort}`;
      const apiUrl = `http://127.0.0.1:${apiPort}`;
      const tenant = await createTestTenant(prisma, { baseUrl: `${coreUrl}/core/v1`, credential: CORE_SECRET });
      await prisma.wopiClientProfile.create({
        data: {
          tenantId: tenant.id,
          name: 'demo-editor',
          kind: 'DEMO_EDITOR',
          discoveryUrl: `${editorUrl}/hosting/discovery`,
          proofKeysRequired: true,
          isDefault: true,
        },
      });
      coreDataDir = await mkdtemp(path.join(tmpdir(), 'demo-core-pages-'));
      core = await createDemoCore({
        host: '127.0.0.1',
        port: corePort,
        dataDir: coreDataDir,
        apiSecret: CORE_SECRET,
        maxUploadBytes: 1 << 30,
        logLevel: 'silent',
        gateway: { url: apiUrl, sessionApiKey: tenant.sessionApiKey },
      });
      await core.listen({ host: '127.0.0.1', port: corePort });
      app = await createApp(testApiEnv({ PUBLIC_BASE_URL: apiUrl }));
      await app.listen({ port: apiPort, host: '127.0.0.1' });
      worker = await createWorker(testWorkerEnv());
      await worker.init();
      browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    },
    Math.max(20 * 60 * 1000, ENSURE_LIBREOFFICE_TIMEOUT_MS),
  );

  afterAll(async () => {
    await browser?.close();
    await editor?.close();
    await app?.close();
    await worker?.close();
    await core?.close();
    await prisma?.$disconnect();
    if (keysDir) await rm(keysDir, { recursive: true, force: true });
    if (coreDataDir) await rm(coreDataDir, { recursive: true, force: true });
  });

  /** A user's own browser, signed in to demo-core on its front page. */
  async function signIn(userId: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${coreUrl}/`);
    await page.selectOption('select[name="user"]', userId);
    await page.fill('input[name="password"]', DEMO_PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${coreUrl}/files`);
    return { context, page };
  }

  /** Clicks "Edit in Word for the web" in the file's row; the host page loads the editor in its frame. */
  async function openForEdit(page: Page, fileName: string, shot: string): Promise<Frame> {
    await page.locator(`tr[data-file="${fileName}"] button[data-open="edit"]`).click();
    try {
      await page.waitForSelector('body[data-editor-loaded="true"]', { state: 'attached', timeout: 30_000 });
      const frame = page.frame({ name: 'office_frame' })!;
      await frame.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
      return frame;
    } catch (error) {
      await page.screenshot({ path: path.join(RESULTS, `${shot}-failed-to-open.png`) });
      throw error;
    }
  }

  async function shownTexts(frame: Frame): Promise<string[]> {
    // A function built from text: this project compiles without the DOM library.
    return frame
      .locator('[data-field-id]')
      .evaluateAll(
        new Function('inputs', 'return inputs.map(function (i) { return i.value; })') as (e: unknown[]) => string[],
      );
  }

  async function edit(frame: Frame, label: string, text: string): Promise<void> {
    await frame.locator('label', { hasText: label }).first().locator('[data-field-id]').fill(text);
    const before = await frame.getAttribute('body', 'data-version');
    await frame.click('#save');
    await frame.locator(`body[data-state="ready"]:not([data-version="${before}"])`).waitFor({ timeout: 30_000 });
  }

  async function coreFetch(pathWithQuery: string): Promise<Response> {
    lastTimestampMs = Math.max(Date.now(), lastTimestampMs + 1);
    const headers = signRequest(CORE_SECRET, {
      method: 'GET',
      pathWithQuery,
      contentSha256: createHash('sha256').digest('hex'),
      timestampMs: lastTimestampMs,
    });
    return fetch(`${coreUrl}${pathWithQuery}`, { headers });
  }

  async function refOf(name: string): Promise<string> {
    const { files } = (await (await coreFetch('/core/v1/files')).json()) as { files: { ref: string; name: string }[] };
    const file = files.find((f) => f.name === name);
    if (file === undefined) throw new Error(`no ${name} in demo-core`);
    return file.ref;
  }

  async function contentInCore(ref: string): Promise<Buffer> {
    const response = await coreFetch(`/core/v1/files/${ref}/content?userId=alice`);
    expect(response.status).toBe(200);
    return Buffer.from(await response.arrayBuffer());
  }

  /** LibreOffice reads the document and writes it as plain text. */
  async function textByLibreOffice(name: string, bytes: Buffer): Promise<string> {
    const root = await mkdtemp(path.join(tmpdir(), 'demo-core-pages-soffice-'));
    try {
      const input = path.join(root, name);
      await writeFile(input, bytes);
      const code = await new Promise<number | null>((resolve) => {
        const child = spawn(
          'soffice',
          [
            '--headless',
            '--nologo',
            '--nodefault',
            '--norestore',
            '--nolockcheck',
            `-env:UserInstallation=${pathToFileURL(path.join(root, 'profile')).href}`,
            '--convert-to',
            'txt:Text (encoded):UTF8',
            '--outdir',
            path.join(root, 'out'),
            input,
          ],
          { env: { PATH: process.env.PATH, HOME: root, LANG: 'C.UTF-8', SAL_USE_VCLPLUGIN: 'svp' }, stdio: 'ignore' },
        );
        child.on('exit', resolve);
      });
      expect(code).toBe(0);
      const [output] = await readdir(path.join(root, 'out'));
      return await readFile(path.join(root, 'out', output), 'utf8');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }

  it(
    'two users: alice uploads and shares a document, both edit it through the gateway and see each other’s saves',
    async () => {
      const alice = await signIn('alice');
      const bob = await signIn('bob');
      try {
        const upload = path.join(await mkdtemp(path.join(tmpdir(), 'demo-core-pages-upload-')), 'Team report.docx');
        await writeFile(upload, buildWelcomeDocx({ author: 'Alice Anderson', createdAt: new Date() }));
        await alice.page.setInputFiles('input[type="file"]', upload);
        await alice.page.click('#upload');
        await alice.page.locator('tr[data-file="Team report.docx"]').waitFor();

        // Private to alice until she shares it: bob's list does not show it.
        await bob.page.reload();
        expect(await bob.page.locator('tr[data-file="Team report.docx"]').count()).toBe(0);

        const row = alice.page.locator('tr[data-file="Team report.docx"]');
        await row.locator('select[name="user"]').selectOption('bob');
        await row.locator('select[name="role"]').selectOption('editor');
        await row.locator('button[data-share]').click();
        await alice.page.locator('tr[data-file="Team report.docx"] li', { hasText: 'bob: editor' }).waitFor();
        await alice.page.screenshot({ path: path.join(RESULTS, '1-alice-shared.png') });
        await bob.page.reload();
        await bob.page.locator('tr[data-file="Team report.docx"]').waitFor();
        await bob.page.screenshot({ path: path.join(RESULTS, '2-bob-files.png') });

        const aliceFrame = await openForEdit(alice.page, 'Team report.docx', 'alice');
        const bobFrame = await openForEdit(bob.page, 'Team report.docx', 'bob');

        await edit(aliceFrame, 'Paragraph 2', 'Alice edited this through demo-core.');
        await waitFor(
          async () => (await shownTexts(bobFrame)).includes('Alice edited this through demo-core.'),
          "alice's change in bob's editor",
          20_000,
        );
        await edit(bobFrame, 'Paragraph 5', 'Bob edited this too.');
        await waitFor(
          async () => (await shownTexts(aliceFrame)).includes('Bob edited this too.'),
          "bob's change in alice's editor",
          20_000,
        );
        await alice.page.screenshot({ path: path.join(RESULTS, '3-alice-editor.png') });
        await bob.page.screenshot({ path: path.join(RESULTS, '4-bob-editor.png') });

        // Closing returns to demo-core; the write-back brings both changes into demo-core's file.
        await aliceFrame.click('#close');
        await bobFrame.click('#close');
        const ref = await refOf('Team report.docx');
        let saved: Buffer = Buffer.alloc(0);
        await waitFor(
          async () => {
            saved = await contentInCore(ref);
            const texts = readDocumentText('docx', saved).map((field) => field.text);
            return texts.includes('Alice edited this through demo-core.') && texts.includes('Bob edited this too.');
          },
          'both changes in demo-core',
          30_000,
        );
        const text = await textByLibreOffice('Team report.docx', saved);
        expect(text).toContain('Alice edited this through demo-core.');
        expect(text).toContain('Bob edited this too.');
      } finally {
        await alice.context.close();
        await bob.context.close();
      }
    },
    5 * 60 * 1000,
  );

  it(
    'new Word, Excel and PowerPoint documents open in the editor and save valid files',
    async () => {
      const alice = await signIn('alice');
      try {
        for (const [kind, name, label] of [
          ['docx', 'New Document.docx', 'Paragraph 2'],
          ['xlsx', 'New Workbook.xlsx', '!A2'],
          ['pptx', 'New Presentation.pptx', 'Slide 1, paragraph 1'],
        ] as const) {
          await alice.page.goto(`${coreUrl}/files`);
          await alice.page.click(`button[data-new="${kind}"]`);
          await alice.page.waitForSelector('body[data-editor-loaded="true"]', { state: 'attached', timeout: 30_000 });
          const frame = alice.page.frame({ name: 'office_frame' })!;
          await frame.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
          await edit(frame, label, `New ${kind} edited`);
          await alice.page.screenshot({ path: path.join(RESULTS, `5-new-${kind}.png`) });
          await frame.click('#close');
          const ref = await refOf(name);
          await waitFor(
            async () =>
              readDocumentText(kind, await contentInCore(ref)).some((field) => field.text === `New ${kind} edited`),
            `${name} saved in demo-core`,
            30_000,
          );
        }
        const docx = await contentInCore(await refOf('New Document.docx'));
        expect(await textByLibreOffice('New Document.docx', docx)).toContain('New docx edited');
      } finally {
        await alice.context.close();
      }
    },
    5 * 60 * 1000,
  );
});
