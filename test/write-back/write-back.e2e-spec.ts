/**
 * The write-back guarantees, against real processes: the demo core app as its own process (so it
 * can be down), the api in-process, workers in-process or as processes (so one can be killed).
 */
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { PrismaClient } from '@wopi/db';
import { createApp } from '../../apps/api/src/create-app';
import { createWorker } from '../../apps/worker/src/create-worker';
import { freePort } from '../support/api-process';
import { type DemoCoreProcess, startDemoCoreProcess } from '../support/demo-core-process';
import { openEditorSession } from '../support/editor-session';
import { baseTestEnv, testApiEnv, testWorkerEnv } from '../support/gateway-env';
import { createTestTenant, testPrisma, type TestTenant } from '../support/test-tenant';
import { waitFor } from '../support/wait-for';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Which of these contents still have a staging blob (the run's staging folder is shared). */
async function stillStaged(contents: Buffer[]): Promise<string[]> {
  const staging = baseTestEnv().BLOB_STAGING_DIR;
  const keys = contents.map(sha256);
  const present = await Promise.all(
    keys.map((key) =>
      stat(path.join(staging, 'blobs', key.slice(0, 2), key)).then(
        () => true,
        () => false,
      ),
    ),
  );
  return keys.filter((_, i) => present[i]);
}

describe('write-back', () => {
  let prisma: PrismaClient;
  let coreData: string;
  let corePort: number;
  let core: DemoCoreProcess;
  let app: NestFastifyApplication;
  let worker: INestApplicationContext | undefined;
  const credential = `wb-${randomBytes(12).toString('hex')}`;
  const gatewayEnv = () => ({
    WRITE_BACK_BACKOFF_MS: '200',
    WRITE_BACK_ATTEMPTS: '60',
    WRITE_BACK_RELAY_INTERVAL_MS: '500',
    CORE_APP_BREAKER_RESET_MS: '1000',
    CORE_APP_RETRY_ATTEMPTS: '1',
  });

  beforeAll(async () => {
    prisma = testPrisma();
    coreData = await mkdtemp(path.join(tmpdir(), 'wb-core-'));
    corePort = await freePort();
    core = await startDemoCoreProcess({ port: corePort, dataDir: coreData, credential });
    app = await createApp(testApiEnv(gatewayEnv()));
    await app.init();
  });

  afterAll(async () => {
    await worker?.close();
    await app?.close();
    await core?.stop();
    await prisma?.$disconnect();
    await rm(coreData, { recursive: true, force: true });
  });

  async function openAndLock(tenant: TestTenant, name: string) {
    const session = await openEditorSession(app, tenant, { fileRef: await core.refOf(name), userId: 'alice' });
    const url = `/wopi/files/${session.fileId}?access_token=${encodeURIComponent(session.accessToken)}`;
    const lockId = `lock-${randomBytes(4).toString('hex')}`;
    expect(
      (await app.inject({ method: 'POST', url, headers: { 'x-wopi-override': 'LOCK', 'x-wopi-lock': lockId } }))
        .statusCode,
    ).toBe(200);
    const put = (body: Buffer) =>
      app.inject({
        method: 'POST',
        url: `/wopi/files/${session.fileId}/contents?access_token=${encodeURIComponent(session.accessToken)}`,
        headers: { 'x-wopi-override': 'PUT', 'x-wopi-lock': lockId, 'content-type': 'application/octet-stream' },
        payload: body,
      });
    return { ...session, name, lockId, url, put };
  }

  async function contentInCore(name: string): Promise<Buffer> {
    const response = await core.signedFetch('GET', `/core/v1/files/${await core.refOf(name)}/content?userId=alice`);
    return Buffer.from(await response.arrayBuffer());
  }

  it('keeps answering saves while the core app is down, then delivers exactly the last version of each file', async () => {
    const tenant = await createTestTenant(prisma, core);
    const files = await Promise.all(
      ['Welcome.docx', 'Budget.xlsx', 'Roadmap.pptx', 'Meeting notes.odt'].map((name) => openAndLock(tenant, name)),
    );
    worker = await createWorker(testWorkerEnv(gatewayEnv()));
    await worker.init();

    await core.stop();
    const last = new Map<string, Buffer>();
    const all: Buffer[] = [];
    for (let i = 0; i < 100; i++) {
      const file = files[i % files.length];
      const body = Buffer.concat([Buffer.from(`${file.name} autosave ${i} `), randomBytes(2048)]);
      const response = await file.put(body);
      // The save is durable in the gateway: it never waits for the (absent) core app.
      expect(response.statusCode).toBe(200);
      last.set(file.fileId, body);
      all.push(body);
    }
    expect(await prisma.writeBackOutbox.count({ where: { tenantId: tenant.id } })).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    core = await startDemoCoreProcess({ port: corePort, dataDir: coreData, credential });
    await waitFor(
      async () => (await prisma.writeBackOutbox.count({ where: { tenantId: tenant.id } })) === 0,
      'the outbox to drain',
      90_000,
    );

    for (const file of files) {
      const expected = last.get(file.fileId)!;
      expect(sha256(await contentInCore(file.name))).toBe(sha256(expected));
      const latest = await prisma.fileVersion.findFirstOrThrow({
        where: { fileId: file.fileId },
        orderBy: { number: 'desc' },
      });
      expect(latest).toMatchObject({ writeBackState: 'CONFIRMED', sha256: sha256(expected), blobKey: null });
      const waiting = await prisma.fileVersion.count({ where: { fileId: file.fileId, writeBackState: 'PENDING' } });
      expect(waiting).toBe(0);
    }
    // A blob goes right after the commit that releases it (never before: it could still be
    // needed), so the last confirmation's blobs may still be going as the outbox empties.
    await waitFor(async () => (await stillStaged(all)).length === 0, 'the delivered saves to leave staging', 10_000);
  }, 180_000);

  it('keeps one conflict copy per diverged editing session, holding its last save, and never overwrites the original', async () => {
    const tenant = await createTestTenant(prisma, core);
    worker ??= await createWorker(testWorkerEnv(gatewayEnv())).then(async (w) => (await w.init(), w));
    const file = await openAndLock(tenant, 'Roadmap.pptx');
    const outboxEmpty = (what: string) =>
      waitFor(async () => (await prisma.writeBackOutbox.count({ where: { fileId: file.fileId } })) === 0, what, 60_000);
    expect((await file.put(randomBytes(1024))).statusCode).toBe(200);
    await outboxEmpty('the first save');
    const logStart = ((await (await core.signedFetch('GET', '/_control/requests')).json()) as { count: number }).count;

    const ref = await core.refOf('Roadmap.pptx');
    expect((await core.signedFetch('POST', `/_control/files/${ref}/external-edit`, {})).ok).toBe(true);
    const outsideEdit = await contentInCore('Roadmap.pptx');

    // The editor keeps autosaving: before, each of these became one more copy.
    const saves = Array.from({ length: 6 }, (_, i) =>
      Buffer.concat([Buffer.from(`autosave ${i} `), randomBytes(1024)]),
    );
    for (const body of saves.slice(0, 3)) expect((await file.put(body)).statusCode).toBe(200);
    await waitFor(
      async () => (await prisma.fileVersion.count({ where: { fileId: file.fileId, writeBackState: 'CONFLICT' } })) > 0,
      'the conflict',
      30_000,
    );
    // Another CheckFileInfo now learns the outside edit as the file's confirmed content: the
    // diverged session's next saves must still not be written over it.
    expect((await app.inject({ method: 'GET', url: file.url })).statusCode).toBe(200);
    for (const body of saves.slice(3)) expect((await file.put(body)).statusCode).toBe(200);
    await outboxEmpty('the saves after the outside edit');

    expect(sha256(await contentInCore('Roadmap.pptx'))).toBe(sha256(outsideEdit));
    const listing = (await (await core.signedFetch('GET', '/core/v1/files')).json()) as {
      files: { ref: string; name: string }[];
    };
    const copies = listing.files.filter((f) => f.name.startsWith('Roadmap (conflict '));
    expect(copies).toHaveLength(1);
    expect(sha256(await contentInCore(copies[0].name))).toBe(sha256(saves.at(-1)!));
    expect(await prisma.auditEvent.count({ where: { tenantId: tenant.id, action: 'file.write_back_conflict' } })).toBe(
      1,
    );
    expect((await prisma.file.findUniqueOrThrow({ where: { id: file.fileId } })).lastConflictAt).not.toBeNull();
    const states = await prisma.fileVersion.findMany({
      where: { fileId: file.fileId, origin: 'WOPI' },
      orderBy: { number: 'asc' },
      select: { writeBackState: true, sha256: true },
    });
    expect(states.at(-1)).toEqual({ writeBackState: 'CONFLICT', sha256: sha256(saves.at(-1)!) });
    expect(states.slice(1).every((v) => v.writeBackState === 'CONFLICT' || v.writeBackState === 'SUPERSEDED')).toBe(
      true,
    );
    // The copy was written in version order: each write it received was of a newer save.
    const log = (await (await core.signedFetch('GET', `/_control/requests?since=${logStart}`)).json()) as {
      requests: { method: string; idempotencyKey: string | null; status: number | null; replayed: boolean }[];
    };
    const written = log.requests
      .filter((r) => r.idempotencyKey?.startsWith(`${file.fileId}:`) && r.status !== null && r.status < 300)
      .filter((r) => r.idempotencyKey!.includes(':conflict-copy') && !r.replayed)
      .map((r) => Number(r.idempotencyKey!.split(':')[1]));
    expect(written.length).toBeGreaterThan(0);
    expect([...written].sort((a, b) => a - b)).toEqual(written);
    expect(new Set(written).size).toBe(written.length);

    // A new editing session opens the outside edit and writes over it normally; the copy stays as it was.
    const unlock = await app.inject({
      method: 'POST',
      url: file.url,
      headers: { 'x-wopi-override': 'UNLOCK', 'x-wopi-lock': file.lockId },
    });
    expect(unlock.statusCode).toBe(200);
    const next = await openAndLock(tenant, 'Roadmap.pptx');
    const opened = await app.inject({
      method: 'GET',
      url: `/wopi/files/${next.fileId}/contents?access_token=${encodeURIComponent(next.accessToken)}`,
    });
    expect(sha256(opened.rawPayload)).toBe(sha256(outsideEdit));
    const rebased = Buffer.concat([outsideEdit, Buffer.from(' and my next edit')]);
    expect((await next.put(rebased)).statusCode).toBe(200);
    await outboxEmpty('the save of the new session');
    expect(sha256(await contentInCore('Roadmap.pptx'))).toBe(sha256(rebased));
    expect(sha256(await contentInCore(copies[0].name))).toBe(sha256(saves.at(-1)!));
  }, 120_000);
});

describe('write-back across a worker crash and a Redis restart', () => {
  it('delivers every save to the core app at most once each, in order, ending with the last', async () => {
    const { ensureRedis } = await import('../../scripts/infra/index.cjs');
    const { spawn } = await import('node:child_process');
    const prisma = testPrisma();
    const redisDir = await mkdtemp(path.join(tmpdir(), 'wb-redis-'));
    const coreData = await mkdtemp(path.join(tmpdir(), 'wb-core-'));
    const credential = `wb-${randomBytes(12).toString('hex')}`;
    let redis = await ensureRedis({
      url: 'redis://127.0.0.1:1',
      dataDir: redisDir,
      preferredPort: 0,
      log: () => undefined,
    });
    const redisPort = Number(new URL(redis.url).port);
    const core = await startDemoCoreProcess({ port: await freePort(), dataDir: coreData, credential });
    const env = {
      REDIS_URL: redis.url,
      WRITE_BACK_BACKOFF_MS: '200',
      WRITE_BACK_ATTEMPTS: '60',
      WRITE_BACK_RELAY_INTERVAL_MS: '500',
      CORE_APP_BREAKER_RESET_MS: '1000',
      QUEUE_PREFIX: `wb-crash-${randomBytes(3).toString('hex')}`,
    };
    const app = await createApp(testApiEnv(env));
    await app.init();
    const startWorkerProcess = (): ChildProcess =>
      spawn(process.execPath, [path.resolve(__dirname, '../../dist/apps/worker/src/main.js')], {
        env: { ...process.env, ...baseTestEnv(), ...env, LOG_LEVEL: 'warn' },
        stdio: 'ignore',
      });
    let worker = startWorkerProcess();
    try {
      const tenant = await createTestTenant(prisma, core);
      const ref = await core.refOf('Budget.xlsx');
      const session = await openEditorSession(app, tenant, { fileRef: ref, userId: 'alice' });
      const wopi = `/wopi/files/${session.fileId}`;
      const token = `access_token=${encodeURIComponent(session.accessToken)}`;
      await app.inject({
        method: 'POST',
        url: `${wopi}?${token}`,
        headers: { 'x-wopi-override': 'LOCK', 'x-wopi-lock': 'crash' },
      });
      const put = (body: Buffer) =>
        app.inject({
          method: 'POST',
          url: `${wopi}/contents?${token}`,
          headers: { 'x-wopi-override': 'PUT', 'x-wopi-lock': 'crash', 'content-type': 'application/octet-stream' },
          payload: body,
        });

      // The core app answers uploads slowly, so the first write-back is surely in flight when the worker dies.
      await core.signedFetch('PUT', '/_control/fault', { mode: 'slow', delayMs: 4000, methods: ['PUT'] });
      const saves = [randomBytes(4096), randomBytes(4096), randomBytes(4096)];
      expect((await put(saves[0])).statusCode).toBe(200);
      await waitFor(
        async () => {
          const log = (await (await core.signedFetch('GET', '/_control/requests')).json()) as {
            requests: { method: string; outcome: string }[];
          };
          return log.requests.some((r) => r.method === 'PUT' && r.outcome === 'pending');
        },
        'the first write-back to start',
        20_000,
      );
      worker.kill('SIGKILL');
      await core.signedFetch('PUT', '/_control/fault', { mode: 'none' });

      // Redis restarts and comes back empty: every queued job is gone; only the outbox remembers.
      await redis.stop();
      await rm(redisDir, { recursive: true, force: true });
      redis = await ensureRedis({
        url: 'redis://127.0.0.1:1',
        dataDir: redisDir,
        preferredPort: redisPort,
        log: () => undefined,
      });
      expect(Number(new URL(redis.url).port)).toBe(redisPort);
      // The lock went with Redis's data (docs: what a Redis loss costs); the editor locks again.
      const relock = await app.inject({
        method: 'POST',
        url: `${wopi}?${token}`,
        headers: { 'x-wopi-override': 'LOCK', 'x-wopi-lock': 'crash' },
      });
      expect(relock.statusCode).toBe(200);

      expect((await put(saves[1])).statusCode).toBe(200);
      expect((await put(saves[2])).statusCode).toBe(200);
      worker = startWorkerProcess();
      await waitFor(
        async () => (await prisma.writeBackOutbox.count({ where: { fileId: session.fileId } })) === 0,
        'the outbox to drain',
        90_000,
      );

      const log = (await (await core.signedFetch('GET', '/_control/requests')).json()) as {
        requests: { method: string; idempotencyKey: string | null; status: number | null; replayed: boolean }[];
      };
      const applied = log.requests
        .filter(
          (r) =>
            r.method === 'PUT' && r.idempotencyKey?.startsWith(`${session.fileId}:`) && r.status === 200 && !r.replayed,
        )
        .map((r) => Number(r.idempotencyKey!.split(':')[1]));
      expect(new Set(applied).size).toBe(applied.length);
      expect([...applied].sort((a, b) => a - b)).toEqual(applied);
      const versions = await prisma.fileVersion.findMany({
        where: { fileId: session.fileId, origin: 'WOPI' },
        orderBy: { number: 'asc' },
      });
      expect(versions.map((v) => v.writeBackState).at(-1)).toBe('CONFIRMED');
      expect(versions.every((v) => v.writeBackState === 'CONFIRMED' || v.writeBackState === 'SUPERSEDED')).toBe(true);
      expect(applied.at(-1)).toBe(versions.at(-1)!.number);
      const inCore = await core.signedFetch('GET', `/core/v1/files/${ref}/content?userId=alice`);
      expect(sha256(Buffer.from(await inCore.arrayBuffer()))).toBe(sha256(saves[2]));
    } finally {
      worker.kill('SIGTERM');
      await app.close();
      await core.stop();
      await redis.stop();
      await prisma.$disconnect();
      for (const dir of [redisDir, coreData]) await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('write-backs that run out of retries', () => {
  it('wait for an operator, who can list, retry and discard them; the save stays readable meanwhile', async () => {
    const { generateApiKey } = await import('@wopi/tenancy');
    const prisma = testPrisma();
    const coreData = await mkdtemp(path.join(tmpdir(), 'wb-core-'));
    const core = await startDemoCoreProcess({
      port: await freePort(),
      dataDir: coreData,
      credential: `wb-${randomBytes(12).toString('hex')}`,
    });
    const env = {
      WRITE_BACK_BACKOFF_MS: '50',
      WRITE_BACK_ATTEMPTS: '2',
      WRITE_BACK_RELAY_INTERVAL_MS: '500',
      CORE_APP_BREAKER_RESET_MS: '300',
      QUEUE_PREFIX: `wb-fail-${randomBytes(3).toString('hex')}`,
    };
    const app = await createApp(testApiEnv(env));
    await app.init();
    const worker = await createWorker(testWorkerEnv(env));
    await worker.init();
    const key = generateApiKey();
    await prisma.apiKey.create({
      data: { kind: 'ADMIN', name: 'ops', keyId: key.keyId, secretHash: key.secretHash, scopes: ['support'] },
    });
    const admin = (method: 'GET' | 'POST', url: string, payload?: object) =>
      app.inject({
        method,
        url: `/admin/v1/write-backs${url}`,
        headers: { authorization: `Bearer ${key.apiKey}` },
        payload,
      });
    try {
      const tenant = await createTestTenant(prisma, core);
      const session = await openEditorSession(app, tenant, {
        fileRef: await core.refOf('Welcome.docx'),
        userId: 'bob',
      });
      const url = `/wopi/files/${session.fileId}`;
      const token = `access_token=${encodeURIComponent(session.accessToken)}`;
      await app.inject({
        method: 'POST',
        url: `${url}?${token}`,
        headers: { 'x-wopi-override': 'LOCK', 'x-wopi-lock': 'ops' },
      });
      // Every upload fails: a core app that keeps answering 500.
      await core.signedFetch('PUT', '/_control/fault', { mode: 'error', status: 500, methods: ['PUT'] });
      const save = async (body: Buffer) => {
        const response = await app.inject({
          method: 'POST',
          url: `${url}/contents?${token}`,
          headers: { 'x-wopi-override': 'PUT', 'x-wopi-lock': 'ops', 'content-type': 'application/octet-stream' },
          payload: body,
        });
        expect(response.statusCode).toBe(200);
        return Number(response.headers['x-wopi-itemversion']);
      };
      const failedJobOf = (versionNumber: number) =>
        waitFor(
          async () => {
            const list = (await admin('GET', '/failed')).json() as {
              failed: { jobId: string; fileId: string; versionNumber: number }[];
            };
            return list.failed.find((f) => f.fileId === session.fileId && f.versionNumber === versionNumber);
          },
          `version ${versionNumber} to fail`,
          30_000,
        );
      const original = (await app.inject({ method: 'GET', url: `${url}/contents?${token}` })).rawPayload;

      const discarded = randomBytes(512);
      const first = await failedJobOf(await save(discarded));
      // Still the user's latest content, served from staging, until an operator decides.
      expect((await app.inject({ method: 'GET', url: `${url}/contents?${token}` })).rawPayload.equals(discarded)).toBe(
        true,
      );
      expect((await admin('POST', `/${first.jobId}/discard`, {})).statusCode).toBe(400);
      expect((await admin('POST', `/${first.jobId}/discard`, { reason: 'user asked to drop it' })).statusCode).toBe(
        200,
      );
      expect((await app.inject({ method: 'GET', url: `${url}/contents?${token}` })).rawPayload.equals(original)).toBe(
        true,
      );

      const kept = randomBytes(512);
      const second = await failedJobOf(await save(kept));
      await core.signedFetch('PUT', '/_control/fault', { mode: 'none' });
      // The operator retries once the core app is back and its breaker has let a trial through.
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect((await admin('POST', `/${second.jobId}/retry`)).statusCode).toBe(200);
      await waitFor(
        async () =>
          (await prisma.fileVersion.findFirst({ where: { fileId: session.fileId, number: second.versionNumber } }))
            ?.writeBackState === 'CONFIRMED',
        'the retried write-back',
        30_000,
      );
      const inCore = await core.signedFetch(
        'GET',
        `/core/v1/files/${await core.refOf('Welcome.docx')}/content?userId=bob`,
      );
      expect(sha256(Buffer.from(await inCore.arrayBuffer()))).toBe(sha256(kept));
      expect(
        await prisma.auditEvent.count({
          where: { tenantId: tenant.id, action: { in: ['write_back.discarded', 'write_back.retried'] } },
        }),
      ).toBe(2);
      expect(await stillStaged([discarded, kept])).toEqual([]);
    } finally {
      await worker.close();
      await app.close();
      await core.stop();
      await prisma.$disconnect();
      await rm(coreData, { recursive: true, force: true });
    }
  }, 120_000);
});
