/**
 * The staging sweep on a store shared by several nodes: two workers sweep one S3 store at the same
 * time. Every leftover goes, an orphan blob is released once, and no blob a waiting save needs or a newer one is touched.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { INestApplicationContext } from '@nestjs/common';
import { S3BlobStore } from '@wopi/blob-staging';
import type { PrismaClient } from '@wopi/db';
import { createWorker } from '../src/create-worker';
import { HousekeepingService } from '../src/housekeeping/housekeeping.service';
import { baseTestEnv, testWorkerEnv } from '../../../test/support/gateway-env';
import { startS3TestServer, type S3TestServer } from '../../../test/support/s3-server';
import { createTestFile, testPrisma } from '../../../test/support/test-tenant';

describe('staging sweep on a shared S3 store', () => {
  let prisma: PrismaClient;
  let s3: S3TestServer;
  const workers: INestApplicationContext[] = [];

  beforeAll(async () => {
    prisma = testPrisma();
    s3 = await startS3TestServer();
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    await prisma.$disconnect();
    await s3.stop();
  });

  it('lets two workers sweep at once: leftovers go, an orphan is released once, a needed or newer blob stays', async () => {
    const prefix = `sweep-${randomBytes(4).toString('hex')}/`;
    const env = s3.env(prefix);
    const bucket = env.S3_BUCKET;
    const client = new S3Client({
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION,
      forcePathStyle: true,
      credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY },
    });
    const store = new S3BlobStore({
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION,
      bucket,
      prefix,
      credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY },
      forcePathStyle: true,
    });
    const stage = (label: string) =>
      store.put(Readable.from([Buffer.from(`${label} ${randomBytes(8).toString('hex')}`)]), { maxBytes: 1024 });

    const orphan = await stage('orphan');
    const needed = await stage('needed');
    // What two crashed nodes left: an unfinished multipart upload and an uncopied temporary object.
    await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: `${prefix}tmp/${randomUUID()}` }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}tmp/${randomUUID()}`, Body: 'half' }));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const cutoff = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const fresh = await stage('fresh');

    const { fileId } = await createTestFile(prisma);
    await prisma.fileVersion.create({
      data: {
        fileId,
        number: 1,
        sha256: needed.sha256,
        sizeBytes: BigInt(needed.sizeBytes),
        blobKey: needed.key,
        writeBackState: 'PENDING',
        savedBy: 'alice',
      },
    });

    const workerEnv = testWorkerEnv({
      ...env,
      QUEUE_PREFIX: `${baseTestEnv().QUEUE_PREFIX}-s3sweep-${randomBytes(3).toString('hex')}`,
      WORKER_JOBS: 'housekeeping',
    });
    for (let i = 0; i < 2; i++) {
      const worker = await createWorker(workerEnv);
      await worker.init();
      workers.push(worker);
    }
    const results = await Promise.all(
      workers.map((worker) => worker.get(HousekeepingService).sweepStaging(Date.now() - cutoff)),
    );

    expect(results.reduce((sum, r) => sum + r.orphanBlobs, 0)).toBe(1);
    // S3 deletes are idempotent, so both sweeps may count the same leftover; what matters is that they are gone.
    for (const result of results) expect(result.abandonedUploads).toBeLessThanOrEqual(2);
    expect(await store.sizeOf(orphan.key)).toBeNull();
    expect(await store.sizeOf(needed.key)).toBe(needed.sizeBytes);
    expect(await store.sizeOf(fresh.key)).toBe(fresh.sizeBytes);
    expect(
      (await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}tmp/` }))).Contents,
    ).toBeUndefined();
    expect(
      (await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }))).Uploads ?? [],
    ).toEqual([]);
    client.destroy();
  }, 60_000);
});
