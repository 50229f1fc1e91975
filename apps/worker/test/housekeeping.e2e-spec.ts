import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import type { PrismaClient } from '@wopi/db';
import { JobName, QueueName } from '@wopi/jobs';
import { redisOptionsFromUrl } from '@wopi/redis';
import { type Queue, QueueEvents } from 'bullmq';
import { Client } from 'pg';
import { createWorker } from '../src/create-worker';
import { baseTestEnv, testWorkerEnv } from '../../../test/support/gateway-env';
import { createTestTenant, testPrisma } from '../../../test/support/test-tenant';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('worker housekeeping', () => {
  let prisma: PrismaClient;

  beforeAll(() => {
    prisma = testPrisma();
  });
  afterAll(() => prisma.$disconnect());

  async function auditEventsOfNewTenant() {
    const tenant = await createTestTenant(prisma, {
      baseUrl: 'http://127.0.0.1:1/core/v1',
      credential: 'unused-credential',
    });
    const old = await prisma.auditEvent.create({
      data: { tenantId: tenant.id, actor: 'test', action: 'old', createdAt: new Date(Date.now() - 500 * DAY_MS) },
    });
    const recent = await prisma.auditEvent.create({ data: { tenantId: tenant.id, actor: 'test', action: 'recent' } });
    return { old, recent };
  }

  it('purges audit events past retention and keeps the rest', async () => {
    const worker: INestApplicationContext = await createWorker(testWorkerEnv({ AUDIT_RETENTION_DAYS: '400' }));
    await worker.init();
    const queue = worker.get<Queue>(getQueueToken(QueueName.Housekeeping));
    const events = new QueueEvents(QueueName.Housekeeping, {
      connection: redisOptionsFromUrl(process.env.REDIS_URL!),
      prefix: baseTestEnv().QUEUE_PREFIX,
    });
    try {
      await events.waitUntilReady();
      const { old, recent } = await auditEventsOfNewTenant();
      const job = await queue.add(JobName.PurgeAuditEvents, {});
      const result = await job.waitUntilFinished(events, 20_000);
      expect(result.purged).toBeGreaterThanOrEqual(1);
      expect(await prisma.auditEvent.findUnique({ where: { id: old.id } })).toBeNull();
      expect(await prisma.auditEvent.findUnique({ where: { id: recent.id } })).not.toBeNull();
      // The daily purge and the hourly staging sweep are scheduled once, whatever the number of workers.
      const other = await createWorker(testWorkerEnv({ AUDIT_RETENTION_DAYS: '400' }));
      await other.init();
      await other.close();
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.filter((s) => s.key === JobName.PurgeAuditEvents)).toEqual([
        expect.objectContaining({ every: 24 * 60 * 60 * 1000 }),
      ]);
      expect(schedulers.filter((s) => s.key === JobName.SweepStaging)).toEqual([
        expect.objectContaining({ every: 60 * 60 * 1000 }),
      ]);
    } finally {
      await events.close();
      await worker.close();
    }
  });

  it('purges tenants deleted through the admin API once their grace period is over, and no other', async () => {
    const worker: INestApplicationContext = await createWorker(testWorkerEnv());
    await worker.init();
    const queue = worker.get<Queue>(getQueueToken(QueueName.Housekeeping));
    const events = new QueueEvents(QueueName.Housekeeping, {
      connection: redisOptionsFromUrl(process.env.REDIS_URL!),
      prefix: baseTestEnv().QUEUE_PREFIX,
    });
    try {
      await events.waitUntilReady();
      const core = { baseUrl: 'http://127.0.0.1:1/core/v1', credential: 'unused-credential' };
      const [due, waiting, suspended] = await Promise.all([1, 2, 3].map(() => createTestTenant(prisma, core)));
      const past = new Date(Date.now() - 1000);
      await prisma.tenant.update({
        where: { id: due.id },
        data: { disabledAt: past, deletedAt: past, purgeAfter: past },
      });
      await prisma.tenant.update({
        where: { id: waiting.id },
        data: { disabledAt: past, deletedAt: past, purgeAfter: new Date(Date.now() + DAY_MS) },
      });
      await prisma.tenant.update({ where: { id: suspended.id }, data: { disabledAt: past } });
      const job = await queue.add(JobName.PurgeDeletedTenants, {});
      const result = await job.waitUntilFinished(events, 20_000);
      expect(result.purged).toContain(due.slug);
      expect(await prisma.tenant.findUnique({ where: { id: due.id } })).toBeNull();
      expect(await prisma.apiKey.count({ where: { tenantId: due.id } })).toBe(0);
      expect(await prisma.tenant.findUnique({ where: { id: waiting.id } })).not.toBeNull();
      expect(await prisma.tenant.findUnique({ where: { id: suspended.id } })).not.toBeNull();
      expect(await prisma.auditEvent.count({ where: { action: 'tenant.purged', target: `tenant:${due.slug}` } })).toBe(
        1,
      );
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.filter((s) => s.key === JobName.PurgeDeletedTenants)).toEqual([
        expect.objectContaining({ every: 60 * 60 * 1000 }),
      ]);
    } finally {
      await events.close();
      await worker.close();
    }
  });

  it('sweeps staging leftovers but never a blob a waiting save still needs', async () => {
    const { mkdtemp, rm, utimes, writeFile, readdir, mkdir } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { Readable } = await import('node:stream');
    const { LocalDiskBlobStore } = await import('@wopi/blob-staging');
    const staging = await mkdtemp(path.join(tmpdir(), 'sweep-'));
    const store = new LocalDiskBlobStore(staging);
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    const orphan = await store.put(Readable.from([Buffer.from(`orphan ${Math.random()}`)]), { maxBytes: 1024 });
    const needed = await store.put(Readable.from([Buffer.from(`needed ${Math.random()}`)]), { maxBytes: 1024 });
    const fresh = await store.put(Readable.from([Buffer.from(`fresh ${Math.random()}`)]), { maxBytes: 1024 });
    for (const blob of [orphan, needed]) {
      const file = path.join(staging, 'blobs', blob.key.slice(0, 2), blob.key);
      await utimes(file, twoHoursAgo, twoHoursAgo);
    }
    await mkdir(path.join(staging, 'tmp'), { recursive: true });
    await writeFile(path.join(staging, 'tmp', 'cut-off-upload'), 'half');
    await utimes(path.join(staging, 'tmp', 'cut-off-upload'), twoHoursAgo, twoHoursAgo);
    const tenant = await createTestTenant(prisma, {
      baseUrl: 'http://127.0.0.1:1/core/v1',
      credential: 'unused-credential',
    });
    const file = await prisma.file.create({
      data: {
        id: `f-${Math.random().toString(36).slice(2)}`,
        tenantId: tenant.id,
        coreRef: 'r',
        name: 'a.docx',
        ownerId: 'alice',
        currentVersion: 1,
      },
    });
    await prisma.fileVersion.create({
      data: {
        fileId: file.id,
        number: 1,
        sha256: needed.sha256,
        sizeBytes: 10n,
        blobKey: needed.key,
        writeBackState: 'PENDING',
        savedBy: 'x',
      },
    });

    const worker = await createWorker(
      testWorkerEnv({
        BLOB_STAGING_DIR: staging,
        QUEUE_PREFIX: `${baseTestEnv().QUEUE_PREFIX}-sweep-${randomBytes(3).toString('hex')}`,
        WORKER_JOBS: 'housekeeping',
      }),
    );
    await worker.init();
    try {
      const { HousekeepingService } = await import('../src/housekeeping/housekeeping.service');
      const result = await worker.get(HousekeepingService).sweepStaging();
      // The worker's own scheduled sweep may run at this very moment and take some of the work:
      // what counts is what is left, and that no blob is counted twice (at most one each).
      expect(result.abandonedUploads).toBeLessThanOrEqual(1);
      expect(result.orphanBlobs).toBeLessThanOrEqual(1);
      expect(await readdir(path.join(staging, 'tmp'))).toEqual([]);
      expect(await store.sizeOf(orphan.key)).toBeNull();
      expect(await store.sizeOf(needed.key)).not.toBeNull();
      expect(await store.sizeOf(fresh.key)).not.toBeNull();
      expect(await readdir(path.join(staging, 'tmp'))).toEqual([]);
    } finally {
      await worker.close();
      await rm(staging, { recursive: true, force: true });
    }
  });

  it('on SIGTERM finishes the job in progress, then exits 0', async () => {
    const env = { ...process.env, ...baseTestEnv(), AUDIT_RETENTION_DAYS: '400', LOG_LEVEL: 'info' };
    const { old } = await auditEventsOfNewTenant();
    // Block the purge inside PostgreSQL so the job is provably in flight when SIGTERM arrives.
    const blocker = new Client({ connectionString: process.env.DATABASE_URL });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE');

    const worker: ChildProcess = spawn(process.execPath, [path.resolve('dist/apps/worker/src/main.js')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    worker.stdout!.on('data', (chunk) => (output += chunk));
    worker.stderr!.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));

    const { Queue: BullQueue } = await import('bullmq');
    const queue = new BullQueue(QueueName.Housekeeping, {
      connection: redisOptionsFromUrl(process.env.REDIS_URL!),
      prefix: baseTestEnv().QUEUE_PREFIX,
    });
    const events = new QueueEvents(QueueName.Housekeeping, {
      connection: redisOptionsFromUrl(process.env.REDIS_URL!),
      prefix: baseTestEnv().QUEUE_PREFIX,
    });
    try {
      await events.waitUntilReady();
      const job = await queue.add(JobName.PurgeAuditEvents, {});
      const active = new Promise<void>((resolve) => events.on('active', ({ jobId }) => jobId === job.id && resolve()));
      await active;
      worker.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(worker.exitCode).toBeNull(); // still waiting for the job
      await blocker.query('COMMIT');
      expect(await exited).toBe(0);
      expect(output).toContain('SIGTERM received');
      expect(await job.waitUntilFinished(events, 10_000)).toMatchObject({ purged: expect.any(Number) });
      expect(await prisma.auditEvent.findUnique({ where: { id: old.id } })).toBeNull();
    } finally {
      await blocker.end().catch(() => undefined);
      if (worker.exitCode === null) worker.kill('SIGKILL');
      await events.close();
      await queue.close();
    }
  });
});
