import { getQueueToken } from '@nestjs/bullmq';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ConvertFileJob } from '@wopi/conversion';
import type { PrismaClient } from '@wopi/db';
import { JobName, QueueName } from '@wopi/jobs';
import type { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { createApp } from '../src/create-app';
import { startDemoCore, type RunningDemoCore } from '../../../test/support/demo-core';
import { baseTestEnv, testApiEnv } from '../../../test/support/gateway-env';
import { createTestTenant, testPrisma, type TestTenant } from '../../../test/support/test-tenant';

// The session API's side of conversions, without a worker: what it checks before queueing, what
// it queues, and whom it shows a conversion to. apps/worker/test/conversion.e2e-spec.ts runs
// conversions end to end.
describe('conversion API', () => {
  let app: NestFastifyApplication;
  let core: RunningDemoCore;
  let prisma: PrismaClient;
  let tenant: TestTenant;
  let otherTenant: TestTenant;
  let queue: Queue<ConvertFileJob>;

  const requestConversion = (apiKey: string, body: Record<string, unknown>) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/conversions',
      headers: { authorization: `Bearer ${apiKey}` },
      payload: body,
    });
  const conversionStatus = (apiKey: string, id: string) =>
    app.inject({ method: 'GET', url: `/api/v1/conversions/${id}`, headers: { authorization: `Bearer ${apiKey}` } });

  beforeAll(async () => {
    core = await startDemoCore();
    prisma = testPrisma();
    tenant = await createTestTenant(prisma, core);
    otherTenant = await createTestTenant(prisma, core);
    // A queue of its own: the workers other test files start must not pick these jobs up.
    const prefix = `${baseTestEnv().QUEUE_PREFIX}-conversion-api-${randomBytes(3).toString('hex')}`;
    app = await createApp(
      testApiEnv({ QUEUE_PREFIX: prefix, CONVERSION_ATTEMPTS: '4', CONVERSION_RETRY_DELAY_MS: '1500' }),
    );
    await app.init();
    queue = app.get(getQueueToken(QueueName.Conversion));
  });

  afterAll(async () => {
    await queue.obliterate({ force: true });
    await app.close();
    await core.close();
    await prisma.$disconnect();
  });

  it('refuses a request without a valid tenant API key', async () => {
    const ref = await core.refOf('Welcome.docx');
    expect(
      (await requestConversion('wgk_nope', { fileRef: ref, userId: 'alice', targetFormat: 'pdf' })).statusCode,
    ).toBe(401);
    expect((await conversionStatus('wgk_nope', 'cv_AAAAAAAAAAAAAAAAAAAAAA')).statusCode).toBe(401);
  });

  it('validates the request body', async () => {
    const ref = await core.refOf('Welcome.docx');
    for (const body of [
      { fileRef: ref, userId: 'alice', targetFormat: 'odt' },
      { fileRef: ref, userId: 'alice' },
      { fileRef: ref, userId: 'al ice', targetFormat: 'pdf' },
      { fileRef: ref, userId: 'alice', targetFormat: 'pdf', priority: 1 },
    ]) {
      expect((await requestConversion(tenant.sessionApiKey, body)).statusCode).toBe(400);
    }
  });

  it('queues a conversion and answers 202 with where to ask for its state', async () => {
    const ref = await core.refOf('Welcome.docx');
    const response = await requestConversion(tenant.sessionApiKey, {
      fileRef: ref,
      userId: 'bob',
      targetFormat: 'pdf',
    });
    expect(response.statusCode).toBe(202);
    const { conversionId, statusUrl } = response.json();
    expect(conversionId).toMatch(/^cv_[A-Za-z0-9_-]{22}$/);
    expect(statusUrl).toBe(`http://wopi.test/api/v1/conversions/${conversionId}`);
    expect(response.headers.location).toBe(statusUrl);

    const job = (await queue.getJob(conversionId))!;
    expect(job.name).toBe(JobName.ConvertFile);
    expect(job.data).toEqual({ tenantId: tenant.id, sourceRef: ref, userId: 'bob', targetFormat: 'pdf' });
    // Outages are retried with exponential backoff; records expire after a week.
    expect(job.opts).toMatchObject({
      attempts: 4,
      backoff: { type: 'exponential', delay: 1500 },
      removeOnComplete: { age: 604_800 },
      removeOnFail: { age: 604_800 },
    });

    const status = await conversionStatus(tenant.sessionApiKey, conversionId);
    expect(status.statusCode).toBe(200);
    expect(status.json()).toEqual({ conversionId, state: 'queued', targetFormat: 'pdf' });
  });

  it("shows a conversion to its tenant only: another tenant's or an unknown id is 404", async () => {
    const ref = await core.refOf('Budget.xlsx');
    const { conversionId } = (
      await requestConversion(tenant.sessionApiKey, { fileRef: ref, userId: 'alice', targetFormat: 'pdf' })
    ).json();
    expect((await conversionStatus(otherTenant.sessionApiKey, conversionId)).statusCode).toBe(404);
    expect((await conversionStatus(tenant.sessionApiKey, 'cv_AAAAAAAAAAAAAAAAAAAAAA')).statusCode).toBe(404);
    expect((await conversionStatus(tenant.sessionApiKey, '..%2F..%2Fetc')).statusCode).toBe(404);
  });

  it('needs a user who may read the file and create files next to it', async () => {
    const ref = await core.refOf('Roadmap.pptx');
    // carol views (no createSibling), dave has no access at all.
    for (const userId of ['carol', 'dave']) {
      const response = await requestConversion(tenant.sessionApiKey, { fileRef: ref, userId, targetFormat: 'pdf' });
      expect(response.statusCode).toBe(403);
    }
    const unknown = await requestConversion(tenant.sessionApiKey, {
      fileRef: 'doc-does-not-exist',
      userId: 'alice',
      targetFormat: 'pdf',
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('refuses what does not convert, and says what does', async () => {
    const budget = await core.refOf('Budget.xlsx');
    const response = await requestConversion(tenant.sessionApiKey, {
      fileRef: budget,
      userId: 'alice',
      targetFormat: 'docx',
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toEqual({
      code: 'UNSUPPORTED_CONVERSION',
      message: '.xlsx converts only to pdf, not to docx',
    });
    const odt = await core.refOf('Meeting notes.odt');
    expect(
      (await requestConversion(tenant.sessionApiKey, { fileRef: odt, userId: 'alice', targetFormat: 'docx' }))
        .statusCode,
    ).toBe(422);
  });

  it("refuses a file over the tenant's size limit", async () => {
    const small = await createTestTenant(prisma, core);
    await prisma.tenant.update({ where: { id: small.id }, data: { maxFileBytes: 100n } });
    const ref = await core.refOf('Welcome.docx');
    const response = await requestConversion(small.sessionApiKey, {
      fileRef: ref,
      userId: 'alice',
      targetFormat: 'pdf',
    });
    expect(response.statusCode).toBe(413);
  });

  it('answers 503 with Retry-After when the core app does not answer, and queues nothing', async () => {
    const unreachable = await createTestTenant(prisma, {
      baseUrl: 'http://127.0.0.1:1/core/v1',
      credential: 'irrelevant-secret',
    });
    const before = await queue.getJobCounts('waiting');
    const response = await requestConversion(unreachable.sessionApiKey, {
      fileRef: 'x.doc',
      userId: 'alice',
      targetFormat: 'docx',
    });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBeDefined();
    expect(await queue.getJobCounts('waiting')).toEqual(before);
  });
});
