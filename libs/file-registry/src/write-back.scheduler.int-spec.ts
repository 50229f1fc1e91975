import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { LocalDiskBlobStore } from '@wopi/blob-staging';
import { PrismaService } from '@wopi/db';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { privateGatewayEnv } from '../../../test/support/private-gateway';
import { createTestFile } from '../../../test/support/test-tenant';
import { StagedBlobs } from './staged-blobs';
import { VersionLedger } from './version-ledger.repository';
import { type WriteBackJob, writeBackJobId } from './write-back-job';
import { WriteBackScheduler } from './write-back.scheduler';

/**
 * The outbox relay on real PostgreSQL and a BullMQ queue of this suite's own: what a crash
 * between commit and enqueue, or a Redis that lost its jobs, leaves behind is enqueued again,
 * once, with the version's number; a round with nothing to do adds nothing.
 */
describe('WriteBackScheduler.relay (real PostgreSQL and Redis)', () => {
  let prisma: PrismaService;
  let staging: string;
  let store: LocalDiskBlobStore;
  let ledger: VersionLedger;
  let connection: Redis;
  let queue: Queue<WriteBackJob>;
  let scheduler: WriteBackScheduler;
  let deployment: Awaited<ReturnType<typeof privateGatewayEnv>>;

  beforeAll(async () => {
    // A database of its own: the relay takes every old outbox row, other suites' included.
    deployment = await privateGatewayEnv('relay');
    prisma = new PrismaService(deployment.env.DATABASE_URL);
    staging = await mkdtemp(path.join(tmpdir(), 'relay-'));
    store = new LocalDiskBlobStore(staging);
    ledger = new VersionLedger(prisma, new StagedBlobs(prisma, store));
    connection = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
    queue = new Queue<WriteBackJob>('write-back', { connection, prefix: `relay-${randomBytes(4).toString('hex')}` });
    scheduler = new WriteBackScheduler(queue, prisma, { attempts: 1, backoffMs: 1000 });
  });

  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
    await prisma.$disconnect();
    await rm(staging, { recursive: true, force: true });
    await deployment.remove();
  });

  /** A save recorded in the ledger (version and outbox row), never enqueued: a crash right after commit. */
  async function savedButNotEnqueued(): Promise<{ versionId: string; number: number }> {
    const { fileId, tenantId } = await createTestFile(prisma);
    const blob = await store.put(Readable.from([randomBytes(64)]), { maxBytes: 1024 });
    const saved = await ledger.recordWopiSave(fileId, {
      sha256: blob.sha256,
      sizeBytes: blob.sizeBytes,
      blobKey: blob.key,
      savedBy: 'alice',
      editors: [],
      tenantId,
      coreUserId: 'alice',
    });
    return { versionId: saved.outbox.versionId, number: saved.number };
  }

  const jobOf = (versionId: string) => queue.getJob(writeBackJobId(versionId));

  it('enqueues a recorded save that never reached the queue, once, with its version number', async () => {
    const save = await savedButNotEnqueued();
    // Within the grace period the api's own enqueue goes first: the relay leaves the row alone.
    await scheduler.relay(60_000);
    expect(await jobOf(save.versionId)).toBeUndefined();

    expect(await scheduler.relay(0)).toBe(1);
    const job = await jobOf(save.versionId);
    expect(job?.data).toMatchObject({ versionId: save.versionId, versionNumber: save.number });
    expect(
      (await prisma.writeBackOutbox.findUniqueOrThrow({ where: { versionId: save.versionId } })).enqueuedAt,
    ).not.toBeNull();

    // Enqueued and its job is there: a later round adds nothing.
    expect(await scheduler.relay(0)).toBe(0);
    expect((await queue.getJobs(['waiting'])).filter((j) => j.data.versionId === save.versionId)).toHaveLength(1);
  });

  it('enqueues again a save whose job Redis lost', async () => {
    const save = await savedButNotEnqueued();
    await scheduler.relay(0);
    await (await jobOf(save.versionId))!.remove();
    expect(await scheduler.relay(0)).toBe(1);
    expect((await jobOf(save.versionId))?.data.versionNumber).toBe(save.number);
  });

  it('adds nothing when the outbox holds nothing old enough', async () => {
    expect(await scheduler.relay(24 * 3600 * 1000)).toBe(0);
  });
});
