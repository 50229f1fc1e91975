/**
 * A core app that stops answering must not drag its tenant's WOPI requests into timeouts, nor
 * touch other tenants: against real demo-core processes, one hanging and one healthy.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { PrismaClient } from '@wopi/db';
import { createApp } from '../apps/api/src/create-app';
import { freePort } from './support/api-process';
import { type DemoCoreProcess, startDemoCoreProcess } from './support/demo-core-process';
import { openEditorSession } from './support/editor-session';
import { testApiEnv } from './support/gateway-env';
import { createTestTenant, testPrisma, type TestTenant } from './support/test-tenant';

const RESET_MS = 1_500;

describe('per-tenant circuit breaker against a hanging core app', () => {
  let prisma: PrismaClient;
  let app: NestFastifyApplication;
  const cores: DemoCoreProcess[] = [];
  const dirs: string[] = [];

  async function startCore(): Promise<DemoCoreProcess> {
    const dir = await mkdtemp(path.join(tmpdir(), 'breaker-core-'));
    dirs.push(dir);
    const core = await startDemoCoreProcess({
      port: await freePort(),
      dataDir: dir,
      credential: `br-${randomBytes(12).toString('hex')}`,
    });
    cores.push(core);
    return core;
  }

  beforeAll(async () => {
    prisma = testPrisma();
    app = await createApp(testApiEnv({ CORE_APP_BREAKER_RESET_MS: String(RESET_MS), CORE_APP_RETRY_ATTEMPTS: '1' }));
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    await Promise.all(cores.map((core) => core.stop()));
    await prisma.$disconnect();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  async function open(tenant: TestTenant, core: DemoCoreProcess) {
    const { fileId, accessToken } = await openEditorSession(app, tenant, {
      fileRef: await core.refOf('Welcome.docx'),
      userId: 'alice',
    });
    return () =>
      app.inject({ method: 'GET', url: `/wopi/files/${fileId}?access_token=${encodeURIComponent(accessToken)}` });
  }

  const receivedBy = async (core: DemoCoreProcess) =>
    ((await (await core.signedFetch('GET', '/_control/requests')).json()) as { count: number }).count;

  it('opens for the hanging tenant only, answers 503 without asking the core app, and closes after recovery', async () => {
    const [sick, healthy] = [await startCore(), await startCore()];
    const sickTenant = await createTestTenant(prisma, sick);
    const healthyTenant = await createTestTenant(prisma, healthy);
    await prisma.tenant.update({ where: { id: sickTenant.id }, data: { coreAppTimeoutMs: 400 } });
    const [checkSick, checkHealthy] = [await open(sickTenant, sick), await open(healthyTenant, healthy)];
    expect((await checkSick()).statusCode).toBe(200);

    await sick.signedFetch('PUT', '/_control/fault', { mode: 'hang', paths: '^/core/v1/' });
    // Timeouts first (each one counts as a failure), until the breaker opens.
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await checkSick()).statusCode);
    expect(new Set(statuses)).toEqual(new Set([503]));

    // Open: the answer comes at once, with a Retry-After, and the core app is not even asked.
    const before = await receivedBy(sick);
    const fast = await checkSick();
    expect(fast.statusCode).toBe(503);
    expect(Number(fast.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await receivedBy(sick)).toBe(before);

    // The other tenant's core app is asked and answers as usual.
    expect((await checkHealthy()).statusCode).toBe(200);

    await sick.signedFetch('PUT', '/_control/fault', { mode: 'none' });
    await new Promise((resolve) => setTimeout(resolve, RESET_MS + 300));
    // Half-open: one trial call goes through, succeeds, and the breaker closes.
    expect((await checkSick()).statusCode).toBe(200);
    expect((await checkSick()).statusCode).toBe(200);
  }, 60_000);
});
