/**
 * Saves the core app refuses at write-back are kept, never dropped (ADR 0021): the real demo core
 * app withdraws a permission or refuses an upload; the api and the worker run in-process with a
 * metric reader, so the test sees what an operator's dashboard would count.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { PrismaClient } from '@wopi/db';
import { freePort } from '../support/api-process';
import { type DemoCoreProcess, startDemoCoreProcess } from '../support/demo-core-process';
import { openEditorSession } from '../support/editor-session';
import { baseTestEnv, testApiEnv, testWorkerEnv } from '../support/gateway-env';
import { createTestTenant, testPrisma, type TestTenant } from '../support/test-tenant';
import { waitFor } from '../support/wait-for';

/** Collects on demand: the test reads the counters when it wants to, no exporter involved. */
class OnDemandReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

// Before the gateway's modules load: their instruments come from the global meter provider.
const reader = new OnDemandReader();
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** `wopi.write_back.attempts` of one tenant, by outcome. */
async function attemptsOf(tenantId: string): Promise<Record<string, number>> {
  const { resourceMetrics } = await reader.collect();
  const counts: Record<string, number> = {};
  for (const scope of resourceMetrics.scopeMetrics)
    for (const metric of scope.metrics)
      if (metric.descriptor.name === 'wopi.write_back.attempts')
        for (const point of metric.dataPoints)
          if (point.attributes['wopi.tenant'] === tenantId)
            counts[String(point.attributes['wopi.write_back.outcome'])] = point.value as number;
  return counts;
}

/**
 * The counts once they reach `expected`: the worker counts an attempt just after its bookkeeping
 * commits, so the test may see the state a moment before the count.
 */
async function settledAttemptsOf(tenantId: string, expected: Record<string, number>): Promise<Record<string, number>> {
  const wanted = JSON.stringify(Object.entries(expected).sort());
  await waitFor(
    async () => JSON.stringify(Object.entries(await attemptsOf(tenantId)).sort()) === wanted,
    'the attempt counts',
    5_000,
  ).catch(() => undefined);
  return attemptsOf(tenantId);
}

async function isStaged(content: Buffer): Promise<boolean> {
  const key = sha256(content);
  return stat(path.join(baseTestEnv().BLOB_STAGING_DIR, 'blobs', key.slice(0, 2), key)).then(
    () => true,
    () => false,
  );
}

describe('write-backs the core app refuses', () => {
  let prisma: PrismaClient;
  let coreData: string;
  let core: DemoCoreProcess;
  let app: NestFastifyApplication;
  let worker: INestApplicationContext | undefined;
  let adminKey: string;
  const env = {
    WRITE_BACK_BACKOFF_MS: '50',
    WRITE_BACK_ATTEMPTS: '3',
    WRITE_BACK_RELAY_INTERVAL_MS: '500',
    CORE_APP_BREAKER_RESET_MS: '300',
    CORE_APP_RETRY_ATTEMPTS: '1',
    QUEUE_PREFIX: `wb-refused-${randomBytes(3).toString('hex')}`,
  };

  beforeAll(async () => {
    const { createApp } = await import('../../apps/api/src/create-app');
    const { generateApiKey } = await import('@wopi/tenancy');
    prisma = testPrisma();
    coreData = await mkdtemp(path.join(tmpdir(), 'wb-refused-'));
    core = await startDemoCoreProcess({
      port: await freePort(),
      dataDir: coreData,
      credential: `wb-${randomBytes(12).toString('hex')}`,
    });
    app = await createApp(testApiEnv(env));
    await app.init();
    const key = generateApiKey();
    await prisma.apiKey.create({
      data: { kind: 'ADMIN', name: 'ops', keyId: key.keyId, secretHash: key.secretHash, scopes: ['support'] },
    });
    adminKey = key.apiKey;
  });

  afterAll(async () => {
    await worker?.close();
    await app?.close();
    await core?.stop();
    await prisma?.$disconnect();
    await rm(coreData, { recursive: true, force: true });
  });

  async function startWorker() {
    const { createWorker } = await import('../../apps/worker/src/create-worker');
    worker ??= await createWorker(testWorkerEnv(env)).then(async (w) => (await w.init(), w));
  }

  const admin = (method: 'GET' | 'POST', url: string, payload?: object) =>
    app.inject({
      method,
      url: `/admin/v1/write-backs${url}`,
      headers: { authorization: `Bearer ${adminKey}` },
      payload,
    });

  async function editAs(tenant: TestTenant, userId: string, name: string) {
    const session = await openEditorSession(app, tenant, { fileRef: await core.refOf(name), userId });
    const token = `access_token=${encodeURIComponent(session.accessToken)}`;
    const url = `/wopi/files/${session.fileId}`;
    const lock = await app.inject({
      method: 'POST',
      url: `${url}?${token}`,
      headers: { 'x-wopi-override': 'LOCK', 'x-wopi-lock': `lock-${userId}` },
    });
    expect(lock.statusCode).toBe(200);
    const put = (body: Buffer) =>
      app.inject({
        method: 'POST',
        url: `${url}/contents?${token}`,
        headers: {
          'x-wopi-override': 'PUT',
          'x-wopi-lock': `lock-${userId}`,
          'content-type': 'application/octet-stream',
        },
        payload: body,
      });
    const save = async (body: Buffer) => {
      const response = await put(body);
      expect(response.statusCode).toBe(200);
      return Number(response.headers['x-wopi-itemversion']);
    };
    return { fileId: session.fileId, save, put };
  }

  async function contentInCore(name: string): Promise<Buffer> {
    const response = await core.signedFetch('GET', `/core/v1/files/${await core.refOf(name)}/content?userId=alice`);
    return Buffer.from(await response.arrayBuffer());
  }

  const versionOf = (fileId: string, number: number) =>
    prisma.fileVersion.findFirstOrThrow({ where: { fileId, number } });

  interface HeldEntry {
    versionId: string;
    fileId: string;
    versionNumber: number;
    savedBy: string;
    reason: string;
    detail: string;
  }
  const heldEntryOf = (fileId: string, versionNumber: number) =>
    waitFor(
      async () =>
        ((await admin('GET', '/held')).json() as { held: HeldEntry[] }).held.find(
          (h) => h.fileId === fileId && h.versionNumber === versionNumber,
        ),
      `version ${versionNumber} to be held`,
      30_000,
    );

  it('writes back a save accepted before its user was revoked while the core app still lets them write; refuses later ones', async () => {
    const tenant = await createTestTenant(prisma, core);
    const file = await editAs(tenant, 'bob', 'Meeting notes.odt');
    const accepted = Buffer.concat([Buffer.from('saved before the revocation '), randomBytes(1024)]);
    const number = await file.save(accepted);
    const revoked = await app.inject({
      method: 'POST',
      url: '/api/v1/revocations',
      headers: { authorization: `Bearer ${tenant.sessionApiKey}` },
      payload: { userId: 'bob' },
    });
    expect(revoked.statusCode).toBeLessThan(300);
    // After the revocation the WOPI layer refuses bob's saves: nothing more is recorded.
    expect((await file.put(randomBytes(64))).statusCode).toBe(401);
    expect(await prisma.fileVersion.count({ where: { fileId: file.fileId, number: { gt: number } } })).toBe(0);

    await startWorker();
    await waitFor(
      async () => (await versionOf(file.fileId, number)).writeBackState === 'CONFIRMED',
      'the accepted save to be written back',
      30_000,
    );
    expect(sha256(await contentInCore('Meeting notes.odt'))).toBe(sha256(accepted));
    expect(await settledAttemptsOf(tenant.id, { confirmed: 1 })).toEqual({ confirmed: 1 });
    // The next test needs saves that wait for a worker.
    await worker!.close();
    worker = undefined;
  }, 60_000);

  it('holds a save accepted before the core app withdrew write, writes nothing, and lets an operator send it later', async () => {
    const tenant = await createTestTenant(prisma, core);
    const original = await contentInCore('Welcome.docx');
    const file = await editAs(tenant, 'bob', 'Welcome.docx');
    const mine = Buffer.concat([Buffer.from("bob's work "), randomBytes(2048)]);
    const number = await file.save(mine);
    // Bob loses write in the core app after his save was accepted, before it is written back.
    const withdraw = await core.signedFetch('PUT', '/_control/users/bob/withdrawn-permissions', {
      permissions: ['write'],
    });
    expect(withdraw.ok).toBe(true);
    const logStart = ((await (await core.signedFetch('GET', '/_control/requests')).json()) as { count: number }).count;
    await startWorker();

    const held = await heldEntryOf(file.fileId, number);
    expect(held).toMatchObject({ reason: 'write_permission_withdrawn', savedBy: `${tenant.id}.bob` });
    expect((await versionOf(file.fileId, number)).writeBackState).toBe('HELD');
    // Nothing was written: not the original, not a copy.
    expect(sha256(await contentInCore('Welcome.docx'))).toBe(sha256(original));
    const log = (await (await core.signedFetch('GET', `/_control/requests?since=${logStart}`)).json()) as {
      requests: { method: string; idempotencyKey: string | null }[];
    };
    expect(log.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    // Kept with its bytes, and counted once, as held.
    expect(await isStaged(mine)).toBe(true);
    expect(await prisma.writeBackOutbox.count({ where: { fileId: file.fileId } })).toBe(0);
    expect(await settledAttemptsOf(tenant.id, { held: 1 })).toEqual({ held: 1 });
    expect(await prisma.auditEvent.count({ where: { tenantId: tenant.id, action: 'file.write_back_held' } })).toBe(1);

    // The access is given back; the operator sends the save again and it reaches the core app.
    await core.signedFetch('PUT', '/_control/users/bob/withdrawn-permissions', { permissions: [] });
    expect((await admin('POST', `/held/${held.versionId}/retry`)).statusCode).toBe(200);
    await waitFor(
      async () => (await versionOf(file.fileId, number)).writeBackState === 'CONFIRMED',
      'the retried save to be confirmed',
      30_000,
    );
    expect(sha256(await contentInCore('Welcome.docx'))).toBe(sha256(mine));
    expect(await settledAttemptsOf(tenant.id, { held: 1, confirmed: 1 })).toEqual({ held: 1, confirmed: 1 });
    expect((await admin('POST', `/held/${held.versionId}/retry`)).statusCode).toBe(404);
    await waitFor(async () => !(await isStaged(mine)), 'the delivered save to leave staging', 10_000);
  }, 90_000);

  it('holds a save whose upload the core app answers 403, until an operator discards it with a reason', async () => {
    await startWorker();
    const tenant = await createTestTenant(prisma, core);
    const original = await contentInCore('Budget.xlsx');
    const file = await editAs(tenant, 'alice', 'Budget.xlsx');
    await core.signedFetch('PUT', '/_control/fault', { mode: 'error', status: 403, methods: ['PUT'] });
    const refused = randomBytes(1500);
    let number: number;
    let held: HeldEntry;
    try {
      number = await file.save(refused);
      held = await heldEntryOf(file.fileId, number);
    } finally {
      await core.signedFetch('PUT', '/_control/fault', { mode: 'none' });
    }
    expect(held.reason).toBe('forbidden');
    expect(held.detail).toContain('403');
    expect(await settledAttemptsOf(tenant.id, { held: 1 })).toEqual({ held: 1 });
    expect(await isStaged(refused)).toBe(true);
    expect(sha256(await contentInCore('Budget.xlsx'))).toBe(sha256(original));

    expect((await admin('POST', `/held/${held.versionId}/discard`, {})).statusCode).toBe(400);
    expect((await admin('POST', `/held/${held.versionId}/discard`, { reason: 'user confirmed' })).statusCode).toBe(200);
    expect((await versionOf(file.fileId, number)).writeBackState).toBe('FAILED');
    expect(await isStaged(refused)).toBe(false);
    expect(((await admin('GET', '/held')).json() as { held: HeldEntry[] }).held.map((h) => h.fileId)).not.toContain(
      file.fileId,
    );
    expect(
      await prisma.auditEvent.count({
        where: { tenantId: tenant.id, action: { in: ['file.write_back_held', 'write_back.discarded'] } },
      }),
    ).toBe(2);
  }, 60_000);

  it('counts an outage as retried attempts, then failed once the attempts run out', async () => {
    await startWorker();
    const tenant = await createTestTenant(prisma, core);
    const file = await editAs(tenant, 'alice', 'Roadmap.pptx');
    await core.signedFetch('PUT', '/_control/fault', { mode: 'error', status: 503, methods: ['PUT'] });
    try {
      const number = await file.save(randomBytes(512));
      await waitFor(
        async () => ((await attemptsOf(tenant.id)).failed ?? 0) > 0,
        'the write-back to run out of attempts',
        30_000,
      );
      expect(await settledAttemptsOf(tenant.id, { retried: 2, failed: 1 })).toEqual({ retried: 2, failed: 1 });
      // Not a refusal: it stays waiting (PENDING) for an operator in the failed list, not held.
      expect((await versionOf(file.fileId, number)).writeBackState).toBe('PENDING');
    } finally {
      await core.signedFetch('PUT', '/_control/fault', { mode: 'none' });
    }
  }, 60_000);
});
