/**
 * The demo editor in a real browser (Debian's Chromium via playwright-core), through the real
 * gateway, the real demo core app and a real worker: a core app opens a session, the host page
 * POSTs the token into the demo editor's frame, the editor shows the document's text, the user
 * changes it and saves. The saved files must be valid documents of their format (LibreOffice reads
 * the new text back), reach the core app by write-back, and two users must see each other's saves.
 * The editor's WOPI calls are signed and the tenant's profile requires proof keys.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { PrismaClient } from '@wopi/db';
import type { FastifyInstance } from 'fastify';
import { type Browser, type BrowserContext, chromium, type Frame, type Page } from 'playwright-core';
import { createApp } from '../../apps/api/src/create-app';
import type { SessionResponse } from '../../apps/api/src/session/create-session.dto';
import { createDemoEditor } from '../../apps/demo-editor/src/create-demo-editor';
import { formatOf, readDocumentText } from '../../apps/demo-editor/src/documents/document-text';
import { ProofKeyPairStore } from '../../apps/demo-editor/src/proof-keys/proof-key-pair-store';
import { WopiClient } from '../../apps/demo-editor/src/wopi/wopi-client';
import { createWorker } from '../../apps/worker/src/create-worker';
import { ensureLibreOffice, ENSURE_LIBREOFFICE_TIMEOUT_MS } from '../../libs/conversion/test/ensure-libreoffice';
import { freePort } from '../support/api-process';
import { startDemoCore, type RunningDemoCore } from '../support/demo-core';
import { testApiEnv, testWorkerEnv } from '../support/gateway-env';
import { createTestTenant, testPrisma, type TestTenant } from '../support/test-tenant';
import { waitFor } from '../support/wait-for';
import { CHROMIUM_ARGS, ensureChromium } from './ensure-chromium';

const RESULTS = path.resolve(__dirname, '../../test-results/demo-editor');

describe('demo editor in a browser', () => {
  let browser: Browser;
  let core: RunningDemoCore;
  let prisma: PrismaClient;
  let editor: FastifyInstance;
  let app: NestFastifyApplication;
  let worker: INestApplicationContext;
  let tenant: TestTenant;
  let apiUrl: string;
  let keysDir: string;
  let wopi: WopiClient;
  let seq = 1000;

  beforeAll(
    async () => {
      const executablePath = ensureChromium();
      await ensureLibreOffice();
      await mkdir(RESULTS, { recursive: true });
      core = await startDemoCore();
      prisma = testPrisma();
      keysDir = await mkdtemp(path.join(tmpdir(), 'demo-editor-keys-'));
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
      // The test's own WOPI calls, signed with the editor's keys: as the editor would make them.
      wopi = new WopiClient(new ProofKeyPairStore(keysDir), 20_000);
      tenant = await createTestTenant(prisma, core);
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
      const port = await freePort();
      apiUrl = `http://127.0.0.1:${port}`;
      app = await createApp(testApiEnv({ PUBLIC_BASE_URL: apiUrl }));
      await app.listen({ port, host: '127.0.0.1' });
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
  });

  async function openSession(fileName: string, userId: string): Promise<SessionResponse> {
    const response = await fetch(`${apiUrl}/api/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.sessionApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fileRef: await core.refOf(fileName), userId }),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as SessionResponse;
  }

  /** The host page of a session in a new browser context (a user's own browser), the editor loaded in its frame. */
  async function openInBrowser(
    session: SessionResponse,
  ): Promise<{ context: BrowserContext; page: Page; frame: Frame }> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const console: string[] = [];
    page.on('console', (message) => console.push(`${message.type()}: ${message.text()}`));
    await page.goto(session.hostPageUrl);
    try {
      // App_LoadingStatus reached the host page (it marks its body).
      await page.waitForSelector('body[data-editor-loaded="true"]', { state: 'attached', timeout: 30_000 });
      const frame = page.frame({ name: 'office_frame' })!;
      await frame.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
      return { context, page, frame };
    } catch (error) {
      // What the user would see: the page, the editor's status line, the browser console.
      await page.screenshot({ path: path.join(RESULTS, 'failed-to-open.png') });
      const status = await page
        .frame({ name: 'office_frame' })
        ?.textContent('#status')
        .catch(() => null);
      throw new Error(`${(error as Error).message}\neditor status: ${status}\nconsole:\n${console.join('\n')}`);
    }
  }

  async function fieldText(frame: Frame, label: string): Promise<string> {
    return frame.locator('label', { hasText: label }).first().locator('[data-field-id]').inputValue();
  }

  /** The values of the editor's text fields, as the user sees them. */
  async function shownTexts(frame: Frame): Promise<string[]> {
    // A function built from text: this project compiles without the DOM library.
    return frame
      .locator('[data-field-id]')
      .evaluateAll(
        new Function('inputs', 'return inputs.map(function (i) { return i.value; })') as (e: unknown[]) => string[],
      );
  }

  async function waitForText(frame: Frame, text: string): Promise<void> {
    await waitFor(async () => (await shownTexts(frame)).includes(text), `"${text}" in the editor`, 20_000);
  }

  async function save(frame: Frame): Promise<void> {
    const before = await frame.getAttribute('body', 'data-version');
    await frame.click('#save');
    // Saved: a new version is shown and the status says so.
    await frame.locator(`body[data-state="ready"]:not([data-version="${before}"])`).waitFor({ timeout: 30_000 });
    expect(await frame.textContent('#status')).toMatch(/^Saved \(saved as version \d+\)/);
  }

  async function getFile(session: SessionResponse): Promise<{ bytes: Buffer; version: string | null }> {
    const answer = await wopi.call(
      { wopiSrc: session.wopiSrc, accessToken: session.accessToken, accessTokenTtl: String(session.accessTokenTtl) },
      'GetFile',
      { seq: seq++ },
    );
    expect(answer.status).toBe(200);
    return { bytes: answer.body, version: answer.headers.get('x-wopi-itemversion') };
  }

  async function contentInCore(name: string): Promise<Buffer> {
    const response = await core.signedFetch('GET', `/core/v1/files/${await core.refOf(name)}/content?userId=alice`);
    expect(response.status).toBe(200);
    return Buffer.from(await response.arrayBuffer());
  }

  /** LibreOffice reads each file and writes it as `target` (txt, csv, pdf); returns the outputs by input name. */
  async function readWithLibreOffice(files: Map<string, Buffer>, target: string): Promise<Map<string, Buffer>> {
    const root = await mkdtemp(path.join(tmpdir(), 'demo-editor-soffice-'));
    try {
      const inputs: string[] = [];
      for (const [name, bytes] of files) {
        const file = path.join(root, name.replace(/\s/g, '_'));
        await writeFile(file, bytes);
        inputs.push(file);
      }
      const exit = await new Promise<{ code: number | null; output: string }>((resolve) => {
        let output = '';
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
            target,
            '--outdir',
            path.join(root, 'out'),
            ...inputs,
          ],
          { env: { PATH: process.env.PATH, HOME: root, LANG: 'C.UTF-8', SAL_USE_VCLPLUGIN: 'svp' } },
        );
        child.stdout.on('data', (chunk) => (output += chunk));
        child.stderr.on('data', (chunk) => (output += chunk));
        child.on('exit', (code) => resolve({ code, output }));
      });
      expect(exit.code).toBe(0);
      const produced = await readdir(path.join(root, 'out')).catch(() => [] as string[]);
      const outputs = new Map<string, Buffer>();
      for (const name of files.keys()) {
        const base = name.replace(/\s/g, '_').replace(/\.[^.]+$/, '');
        const output = produced.find((file) => file.startsWith(`${base}.`));
        if (output) outputs.set(name, await readFile(path.join(root, 'out', output)));
      }
      return outputs;
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }

  it(
    'shows each sample, saves a change as a valid file of its format, and the change reaches the core app',
    async () => {
      const edits: { name: string; label: string; text: string }[] = [
        { name: 'Welcome.docx', label: 'Paragraph 4', text: 'Edited in the demo editor: docx paragraph.' },
        { name: 'Meeting notes.odt', label: 'Paragraph 2', text: 'Edited in the demo editor: odt paragraph.' },
        { name: 'Roadmap.pptx', label: 'Slide 1, paragraph 1', text: 'Edited in the demo editor: slide title' },
        { name: 'Budget.xlsx', label: '!A2', text: 'Edited in the demo editor: row' },
      ];
      const saved = new Map<string, Buffer>();
      for (const edit of edits) {
        const session = await openSession(edit.name, 'alice');
        expect(session.client).toBe('demo-editor');
        const before = readDocumentText(formatOf(edit.name)!, (await getFile(session)).bytes);
        const { context, page, frame } = await openInBrowser(session);
        try {
          // The page shows the document's text as the file has it.
          expect(await shownTexts(frame)).toEqual(before.map((field) => field.text));

          await frame.locator('label', { hasText: edit.label }).first().locator('[data-field-id]').fill(edit.text);
          await save(frame);
          await page.screenshot({ path: path.join(RESULTS, `${edit.name.replace(/\s/g, '_')}.png`) });

          // Through the gateway: the new content is there, a new version, and the file reads back.
          const after = await getFile(session);
          const texts = readDocumentText(formatOf(edit.name)!, after.bytes).map((field) => field.text);
          expect(texts).toContain(edit.text);
          expect(Number(after.version)).toBeGreaterThan(0);
          saved.set(edit.name, after.bytes);

          // The protocol inspector lists Office's sequence, signed, each with its status.
          await frame.waitForSelector('tr[data-operation="RefreshLock"][data-status="200"]', { timeout: 20_000 });
          const operations = await frame
            .locator('#calls tr[data-operation]')
            .evaluateAll(
              new Function(
                'rows',
                'return rows.map(function (r) { return r.getAttribute("data-operation") + " " + r.getAttribute("data-status"); }).reverse()',
              ) as (e: unknown[]) => string[],
            );
          expect(operations.slice(0, 3)).toEqual(['CheckFileInfo 200', 'Lock 200', 'GetFile 200']);
          expect(operations).toContain('PutFile 200');

          // Close: the editor unlocks, then posts UI_Close; the host page removes the frame.
          await frame.click('#close');
          await page.locator('#host_closed').waitFor({ state: 'visible', timeout: 15_000 });
          const relock = await wopi.call(
            { wopiSrc: session.wopiSrc, accessToken: session.accessToken, accessTokenTtl: '0' },
            'Lock',
            { seq: seq++, headers: { 'X-WOPI-Lock': 'test-lock-after-close' } },
          );
          expect(relock.status).toBe(200);
          const unlock = await wopi.call(
            { wopiSrc: session.wopiSrc, accessToken: session.accessToken, accessTokenTtl: '0' },
            'Unlock',
            { seq: seq++, headers: { 'X-WOPI-Lock': 'test-lock-after-close' } },
          );
          expect(unlock.status).toBe(200);
        } finally {
          await context.close();
        }
      }

      // The write-back delivers every save to the core app.
      for (const edit of edits) {
        await waitFor(
          async () => (await contentInCore(edit.name)).equals(saved.get(edit.name)!),
          `${edit.name} in demo-core`,
          30_000,
        );
      }

      // LibreOffice opens every saved file and finds the new text in it.
      const documents = await readWithLibreOffice(
        new Map([...saved].filter(([name]) => /\.(docx|odt)$/.test(name))),
        'txt:Text (encoded):UTF8',
      );
      expect(documents.get('Welcome.docx')!.toString('utf8')).toContain('Edited in the demo editor: docx paragraph.');
      expect(documents.get('Meeting notes.odt')!.toString('utf8')).toContain(
        'Edited in the demo editor: odt paragraph.',
      );
      const sheets = await readWithLibreOffice(new Map([['Budget.xlsx', saved.get('Budget.xlsx')!]]), 'csv');
      expect(sheets.get('Budget.xlsx')!.toString('utf8')).toContain('Edited in the demo editor: row');
      const slides = await readWithLibreOffice(new Map([['Roadmap.pptx', saved.get('Roadmap.pptx')!]]), 'pdf');
      expect(slides.get('Roadmap.pptx')!.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    },
    5 * 60 * 1000,
  );

  it(
    'lets two users co-author one document under the shared lock: each sees the other’s save',
    async () => {
      const alice = await openInBrowser(await openSession('Welcome.docx', 'alice'));
      const bob = await openInBrowser(await openSession('Welcome.docx', 'bob'));
      try {
        // Both hold the same lock: the second Lock with the same lock string succeeded too.
        await bob.frame.waitForSelector('tr[data-operation="Lock"][data-status="200"]');
        expect(await bob.frame.locator('#save').isDisabled()).toBe(false);

        await alice.frame
          .locator('label', { hasText: 'Paragraph 2' })
          .first()
          .locator('[data-field-id]')
          .fill('Alice was here.');
        await save(alice.frame);
        // Bob's editor polls CheckFileInfo, sees the new Version and loads it with GetFile.
        await waitForText(bob.frame, 'Alice was here.');

        await bob.frame
          .locator('label', { hasText: 'Paragraph 5' })
          .first()
          .locator('[data-field-id]')
          .fill('Bob was here too.');
        await save(bob.frame);
        await waitForText(alice.frame, 'Bob was here too.');
        expect(await fieldText(alice.frame, 'Paragraph 2')).toBe('Alice was here.');
        await alice.page.screenshot({ path: path.join(RESULTS, 'co-authoring-alice.png') });
        await bob.page.screenshot({ path: path.join(RESULTS, 'co-authoring-bob.png') });

        // Both changes are in one file, in the gateway and, after write-back, in the core app.
        const session = await openSession('Welcome.docx', 'carol');
        // Carol (a viewer) sees both changes in the same editor, read-only: no lock, no save.
        const carolSession = await openSession('Welcome.docx', 'carol');
        expect(carolSession.action).toBe('view');
        const carol = await openInBrowser(carolSession);
        try {
          expect(await shownTexts(carol.frame)).toEqual(
            expect.arrayContaining(['Alice was here.', 'Bob was here too.']),
          );
          expect(await carol.frame.isDisabled('#save')).toBe(true);
          expect(await carol.frame.textContent('#status')).toBe('Read-only: opened for viewing');
          expect(await carol.frame.locator('tr[data-operation="Lock"]').count()).toBe(0);
        } finally {
          await carol.context.close();
        }
        const { bytes } = await getFile(session);
        const texts = readDocumentText('docx', bytes).map((field) => field.text);
        expect(texts).toEqual(expect.arrayContaining(['Alice was here.', 'Bob was here too.']));
        await waitFor(
          async () => (await contentInCore('Welcome.docx')).equals(bytes),
          'Welcome.docx in demo-core',
          30_000,
        );

        // Alice leaves: Bob still edits, so the shared lock stays (no Unlock yet).
        await alice.frame.click('#close');
        await alice.page.locator('#host_closed').waitFor({ state: 'visible' });
        await bob.frame
          .locator('label', { hasText: 'Paragraph 1' })
          .first()
          .locator('[data-field-id]')
          .fill('Bob alone now.');
        await save(bob.frame);
        await bob.frame.click('#close');
        await bob.page.locator('#host_closed').waitFor({ state: 'visible' });
        // The last editor closed: the shared lock is released, anyone may lock the file now.
        const target = { wopiSrc: session.wopiSrc, accessToken: session.accessToken, accessTokenTtl: '0' };
        const bobSession = await openSession('Welcome.docx', 'bob');
        const free = await wopi.call({ ...target, accessToken: bobSession.accessToken }, 'Lock', {
          seq: seq++,
          headers: { 'X-WOPI-Lock': 'test-lock-after-co-authoring' },
        });
        expect(free.status).toBe(200);
        await wopi.call({ ...target, accessToken: bobSession.accessToken }, 'Unlock', {
          seq: seq++,
          headers: { 'X-WOPI-Lock': 'test-lock-after-co-authoring' },
        });
      } finally {
        await alice.context.close();
        await bob.context.close();
      }
    },
    3 * 60 * 1000,
  );
});
