import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type ConvertFileJob, FileSignature, newConversionId, signatureOf } from '@wopi/conversion';
import { CoreAppClient, DEFAULT_CORE_APP_CLIENT_OPTIONS } from '@wopi/core-app-client';
import type { PrismaClient } from '@wopi/db';
import { JobName, QueueName } from '@wopi/jobs';
import type { Queue } from 'bullmq';
import { createApp } from '../../api/src/create-app';
import { createWorker } from '../src/create-worker';
import { ENSURE_LIBREOFFICE_TIMEOUT_MS, ensureLibreOffice } from '../../../libs/conversion/test/ensure-libreoffice';
import { ooxmlPartText, pdfText, pdfTitle, processesMentioning } from '../../../libs/conversion/test/inspect-output';
import {
  LEGACY_SAMPLES,
  type LegacyFormat,
  makeLegacyFixtures,
  makeTruncatedDoc,
} from '../../../libs/conversion/test/legacy-fixtures';
import { startDemoCore, type RunningDemoCore } from '../../../test/support/demo-core';
import { baseTestEnv, testApiEnv, testWorkerEnv } from '../../../test/support/gateway-env';
import { createTestTenant, testPrisma, type TestTenant } from '../../../test/support/test-tenant';

interface ConversionStatusBody {
  conversionId: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed';
  result?: { fileId: string; name: string; wopiSrc: string };
  error?: { code: string; message: string };
}

// LibreOffice takes seconds per document; one conversion at a time keeps a loaded CI machine
// well inside these bounds.
const CONVERSION_DEADLINE_MS = 90_000;

// Session API -> queue -> worker -> LibreOffice -> demo-core, with real processes throughout.
describe('conversion jobs end to end', () => {
  let core: RunningDemoCore;
  let prisma: PrismaClient;
  let tenant: TestTenant;
  let api: NestFastifyApplication;
  let queue: Queue<ConvertFileJob>;
  let uploader: CoreAppClient;
  let queuePrefix: string;
  // Private folders, so "nothing left behind" can be checked exactly.
  let fixtures: string;
  let tempDir: string;
  let stagingDir: string;
  let legacyRefs: Record<LegacyFormat, string>;

  /** Puts a local file into demo-core next to Welcome.docx, as alice; returns its ref. */
  async function addToCore(name: string, file: string): Promise<string> {
    const bytes = await readFile(file);
    const target = {
      tenantId: 'test-uploads',
      baseUrl: core.baseUrl,
      credential: core.credential,
      timeoutMs: 5_000,
      permissionCacheTtlMs: 0,
    };
    const created = await uploader.createSibling(target, await core.refOf('Welcome.docx'), 'alice', {
      name,
      onConflict: 'fail',
      body: { open: () => createReadStream(file), sizeBytes: bytes.length, sha256: sha256(bytes) },
      idempotencyKey: `upload-${randomBytes(8).toString('hex')}`,
    });
    return created.ref;
  }

  async function convert(fileRef: string, targetFormat: string, userId = 'alice'): Promise<string> {
    const response = await api.inject({
      method: 'POST',
      url: '/api/v1/conversions',
      headers: { authorization: `Bearer ${tenant.sessionApiKey}` },
      payload: { fileRef, userId, targetFormat },
    });
    expect(response.statusCode).toBe(202);
    return response.json().conversionId;
  }

  /** Polls the status URL, as a core app would, until the conversion succeeded or failed. */
  async function finished(conversionId: string): Promise<ConversionStatusBody> {
    const deadline = Date.now() + CONVERSION_DEADLINE_MS;
    for (;;) {
      const response = await api.inject({
        method: 'GET',
        url: `/api/v1/conversions/${conversionId}`,
        headers: { authorization: `Bearer ${tenant.sessionApiKey}` },
      });
      expect(response.statusCode).toBe(200);
      const status = response.json() as ConversionStatusBody;
      if (status.state === 'succeeded' || status.state === 'failed') return status;
      if (Date.now() > deadline) throw new Error(`conversion ${conversionId} still ${status.state}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /**
   * A succeeded conversion's new file: registered with a file ID of its own and a first version
   * carrying the SHA-256 of the bytes the core app now holds; returns its name and those bytes.
   */
  async function storedResult(conversionId: string): Promise<{ name: string; bytes: Buffer }> {
    const status = await finished(conversionId);
    expect(status).toMatchObject({ conversionId, state: 'succeeded' });
    const { fileId, name, wopiSrc } = status.result!;
    expect(wopiSrc).toBe(`http://wopi.test/wopi/files/${fileId}`);
    const file = await prisma.file.findUniqueOrThrow({ where: { id: fileId } });
    expect(file).toMatchObject({ tenantId: tenant.id, name, ownerId: 'alice' });
    const bytes = await coreContent(file.coreRef);
    const version = await prisma.fileVersion.findFirstOrThrow({ where: { fileId } });
    expect(version).toMatchObject({ origin: 'CORE_APP', writeBackState: 'CONFIRMED', sha256: sha256(bytes) });
    return { name, bytes };
  }

  async function coreContent(ref: string): Promise<Buffer> {
    const response = await core.signedFetch('GET', `/core/v1/files/${ref}/content?userId=alice`);
    expect(response.status).toBe(200);
    return Buffer.from(await response.arrayBuffer());
  }

  async function coreFileNames(): Promise<string[]> {
    const response = await core.signedFetch('GET', '/core/v1/files');
    return ((await response.json()) as { files: { name: string }[] }).files.map((f) => f.name);
  }

  /** Nothing of a finished conversion stays: no working folder, no LibreOffice, no staged blob. */
  async function expectNothingLeftBehind(): Promise<void> {
    expect(await readdir(tempDir)).toEqual([]);
    expect(await processesMentioning(tempDir)).toEqual([]);
    const blobs = await readdir(path.join(stagingDir, 'blobs'), { recursive: true }).catch(() => []);
    const files = [];
    for (const entry of blobs) {
      if ((await stat(path.join(stagingDir, 'blobs', entry))).isFile()) files.push(entry);
    }
    expect(files).toEqual([]);
  }

  function startWorker(overrides: Record<string, string> = {}): Promise<INestApplicationContext> {
    return createWorker(
      testWorkerEnv({
        QUEUE_PREFIX: queuePrefix,
        BLOB_STAGING_DIR: stagingDir,
        WORKER_JOBS: 'conversion',
        CONVERSION_TEMP_DIR: tempDir,
        CONVERSION_CONCURRENCY: '1',
        // One call per attempt, so an injected outage fails the attempt and BullMQ retries it.
        CORE_APP_RETRY_ATTEMPTS: '1',
        ...overrides,
      }),
    ).then(async (worker) => {
      await worker.init();
      return worker;
    });
  }

  beforeAll(async () => {
    await ensureLibreOffice();
    [fixtures, tempDir, stagingDir] = await Promise.all(
      ['conversion-fixtures-', 'conversion-temp-', 'conversion-staging-'].map((prefix) =>
        mkdtemp(path.join(tmpdir(), prefix)),
      ),
    );
    const legacy = await makeLegacyFixtures(fixtures);
    core = await startDemoCore();
    prisma = testPrisma();
    tenant = await createTestTenant(prisma, core);
    // demo-core listens on loopback.
    uploader = new CoreAppClient({ ...DEFAULT_CORE_APP_CLIENT_OPTIONS, egress: { allowPrivateNetworks: true } });
    legacyRefs = {
      doc: await addToCore('Welcome.doc', legacy.doc),
      xls: await addToCore('Budget.xls', legacy.xls),
      ppt: await addToCore('Roadmap.ppt', legacy.ppt),
    };
    // A queue of its own: the workers of other test files must not take these jobs.
    queuePrefix = `${baseTestEnv().QUEUE_PREFIX}-conversion-${randomBytes(3).toString('hex')}`;
    api = await createApp(
      testApiEnv({ QUEUE_PREFIX: queuePrefix, BLOB_STAGING_DIR: stagingDir, CONVERSION_RETRY_DELAY_MS: '300' }),
    );
    await api.init();
    queue = api.get(getQueueToken(QueueName.Conversion));
  }, ENSURE_LIBREOFFICE_TIMEOUT_MS);

  afterAll(async () => {
    await queue?.obliterate({ force: true });
    await api?.close();
    uploader?.onApplicationShutdown();
    await core?.close();
    await prisma?.$disconnect();
    await Promise.all([fixtures, tempDir, stagingDir].map((dir) => dir && rm(dir, { recursive: true, force: true })));
  });

  describe('with a worker', () => {
    let worker: INestApplicationContext;

    beforeAll(async () => {
      worker = await startWorker();
    });
    afterAll(() => worker?.close());

    it(
      'turns .doc, .xls and .ppt into OOXML and a .docx into PDF, stored next to their sources',
      async () => {
        const legacy = (['doc', 'xls', 'ppt'] as const).map((format) => ({
          sample: LEGACY_SAMPLES[format],
          target: `${format}x`,
          ref: legacyRefs[format],
        }));
        const toOoxml = [];
        for (const { ref, target } of legacy) toOoxml.push(await convert(ref, target));
        const toPdf = await convert(await core.refOf('Welcome.docx'), 'pdf');

        for (const [i, { sample, target }] of legacy.entries()) {
          const { name, bytes } = await storedResult(toOoxml[i]);
          // Welcome.docx, Budget.xlsx and Roadmap.pptx exist already: the core app picked a free name.
          expect(name).not.toBe(`${sample.name}.${target}`);
          expect(name.startsWith(sample.name) && name.endsWith(`.${target}`)).toBe(true);
          expect(signatureOf(bytes)).toBe(FileSignature.Zip);
          expect(ooxmlPartText(bytes, sample.ooxmlPart)).toContain(sample.text);
        }

        const pdf = await storedResult(toPdf);
        expect(pdf.name).toBe('Welcome.pdf');
        expect(signatureOf(pdf.bytes)).toBe(FileSignature.Pdf);
        expect(pdfTitle(pdf.bytes)).toBe(LEGACY_SAMPLES.doc.text);
        const pdfFile = path.join(fixtures, 'converted.pdf');
        await writeFile(pdfFile, pdf.bytes);
        // The page text too where poppler's pdftotext is installed (the tests do not install it).
        const pageText = await pdfText(pdfFile);
        expect(pageText === undefined || pageText.includes('This document belongs to demo-core')).toBe(true);

        await expectNothingLeftBehind();
      },
      4 * CONVERSION_DEADLINE_MS,
    );

    it(
      'fails a document LibreOffice cannot load at once, with its reason, and creates nothing',
      async () => {
        const broken = await makeTruncatedDoc(path.join(fixtures, 'Welcome.doc'), path.join(fixtures, 'Broken.doc'));
        const id = await convert(await addToCore('Broken.doc', broken), 'docx');
        const status = await finished(id);
        expect(status.state).toBe('failed');
        expect(status.error).toEqual({
          code: 'converter_failed',
          message: 'LibreOffice wrote no output: Error: source file could not be loaded',
        });
        // Not retried: the same document fails the same way.
        expect((await queue.getJob(id))!.attemptsMade).toBe(1);
        expect(await coreFileNames()).not.toContain('Broken.docx');
        await expectNothingLeftBehind();
      },
      CONVERSION_DEADLINE_MS,
    );

    it(
      'retries a core-app outage, uploading the result it staged instead of converting again',
      async () => {
        const source = legacyRefs.xls;
        const { count: before } = (await (await core.signedFetch('GET', '/_control/requests')).json()) as {
          count: number;
        };
        // The first upload of the result answers 503; the retry goes through.
        const fault = await core.signedFetch('PUT', '/_control/fault', {
          mode: 'error',
          status: 503,
          paths: '/siblings$',
          methods: ['POST'],
          remaining: 1,
        });
        expect(fault.status).toBe(200);

        const id = await convert(source, 'pdf');
        const { name, bytes } = await storedResult(id);
        expect(name).toBe('Budget.pdf');
        expect(signatureOf(bytes)).toBe(FileSignature.Pdf);
        expect((await queue.getJob(id))!.attemptsMade).toBe(2);

        const log = (await (await core.signedFetch('GET', `/_control/requests?since=${before}`)).json()) as {
          requests: { method: string; path: string; status: number | null }[];
        };
        const calls = (method: string, suffix: string) =>
          log.requests.filter((r) => r.method === method && r.path === `/core/v1/files/${source}${suffix}`);
        expect(calls('GET', '/content')).toHaveLength(1);
        expect(calls('POST', '/siblings').map((r) => r.status)).toEqual([503, 201]);
        await expectNothingLeftBehind();
      },
      CONVERSION_DEADLINE_MS,
    );
    it(
      'converts again when the result an earlier attempt staged is not on this node',
      async () => {
        const source = legacyRefs.ppt;
        const { count: before } = (await (await core.signedFetch('GET', '/_control/requests')).json()) as {
          count: number;
        };
        // As a retry looks on a node other than the one that staged the result: the job names a
        // blob this node's staging folder does not hold.
        const id = newConversionId();
        const missing = sha256(Buffer.from(`staged on another node ${id}`));
        await queue.add(
          JobName.ConvertFile,
          {
            tenantId: tenant.id,
            sourceRef: source,
            userId: 'alice',
            targetFormat: 'pdf',
            staged: { blobKey: missing, sha256: missing, sizeBytes: 1024 },
          },
          { jobId: id, attempts: 1 },
        );
        const { name, bytes } = await storedResult(id);
        expect(name).toBe('Roadmap.pdf');
        expect(signatureOf(bytes)).toBe(FileSignature.Pdf);

        const log = (await (await core.signedFetch('GET', `/_control/requests?since=${before}`)).json()) as {
          requests: { method: string; path: string }[];
        };
        // The source was read again, so it was converted again.
        expect(
          log.requests.filter((r) => r.method === 'GET' && r.path === `/core/v1/files/${source}/content`),
        ).toHaveLength(1);
        await expectNothingLeftBehind();
      },
      CONVERSION_DEADLINE_MS,
    );
  });

  describe('with a worker whose conversions may take only 100 ms', () => {
    let worker: INestApplicationContext;

    beforeAll(async () => {
      worker = await startWorker({ CONVERSION_TIMEOUT_MS: '100' });
    });
    afterAll(() => worker?.close());

    it(
      'stops LibreOffice and fails the job with a timeout, once',
      async () => {
        const id = await convert(legacyRefs.doc, 'docx');
        const status = await finished(id);
        expect(status.state).toBe('failed');
        expect(status.error).toEqual({
          code: 'timeout',
          message: 'LibreOffice did not finish within 100 ms; the conversion was stopped',
        });
        expect((await queue.getJob(id))!.attemptsMade).toBe(1);
        await expectNothingLeftBehind();
      },
      CONVERSION_DEADLINE_MS,
    );
  });
});

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
