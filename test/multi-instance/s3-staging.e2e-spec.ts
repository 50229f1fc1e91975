/**
 * Several nodes on one S3-compatible staging store: two api processes and two worker processes,
 * each with a local staging folder of its own that must stay empty, one PostgreSQL database and
 * one Redis. A file saved through one api is read back through the other while its write-back is
 * still running, and the core app receives that write exactly once.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@wopi/db';
import { createDatabase, dropDatabase } from '../../scripts/infra/index.cjs';
import { type ApiProcess, freePort, startApiProcess } from '../support/api-process';
import { type DemoCoreProcess, startDemoCoreProcess } from '../support/demo-core-process';
import { baseTestEnv } from '../support/gateway-env';
import { type S3TestServer, startS3TestServer } from '../support/s3-server';
import { createTestTenant } from '../support/test-tenant';
import { waitFor } from '../support/wait-for';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const REPO_ROOT = path.resolve(__dirname, '../..');

interface LoggedRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  status: number | null;
  replayed: boolean;
}

describe('staging shared by several nodes through S3', () => {
  const adminUrl = process.env.WOPI_TEST_ADMIN_DATABASE_URL!;
  // A deployment of its own (database, queue prefix): the run's other workers relay every outbox
  // row of their database and would look for these saves' bytes on their local disk.
  const databaseName = `wopi_test_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${randomBytes(4).toString('hex')}`;
  const credential = `s3-${randomBytes(12).toString('hex')}`;
  const prefix = `deployment-${randomBytes(4).toString('hex')}/`;
  let s3: S3TestServer;
  let prisma: PrismaClient;
  let core: DemoCoreProcess;
  let apis: ApiProcess[] = [];
  let workers: ChildProcess[] = [];
  const localDirs: string[] = [];

  beforeAll(async () => {
    const databaseUrl = await createDatabase(adminUrl, databaseName);
    const [server, , coreData] = await Promise.all([
      startS3TestServer(),
      promisify(execFile)(process.execPath, [path.join(REPO_ROOT, 'scripts/prisma-migrate.mjs'), 'deploy'], {
        cwd: REPO_ROOT,
        env: { ...process.env, DATABASE_URL: databaseUrl },
      }),
      mkdtemp(path.join(tmpdir(), 's3-core-')),
    ]);
    s3 = server;
    localDirs.push(coreData);
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
    core = await startDemoCoreProcess({ port: await freePort(), dataDir: coreData, credential });
    const queuePrefix = `${baseTestEnv().QUEUE_PREFIX}-s3-${randomBytes(3).toString('hex')}`;
    const nodeEnv = async () => {
      const localStaging = await mkdtemp(path.join(tmpdir(), 's3-node-local-'));
      localDirs.push(localStaging);
      return {
        DATABASE_URL: databaseUrl,
        QUEUE_PREFIX: queuePrefix,
        ...s3.env(prefix),
        // Each node's own folder: if any node staged locally, the other could not read the save.
        BLOB_STAGING_DIR: localStaging,
        WRITE_BACK_RELAY_INTERVAL_MS: '500',
        WRITE_BACK_BACKOFF_MS: '200',
        SHUTDOWN_GRACE_MS: '2000',
      };
    };
    const nodeEnvs = await Promise.all([nodeEnv(), nodeEnv(), nodeEnv(), nodeEnv()]);
    workers = nodeEnvs.slice(2).map((workerEnv) =>
      spawn(process.execPath, [path.join(REPO_ROOT, 'dist/apps/worker/src/main.js')], {
        env: { ...process.env, ...baseTestEnv(), ...workerEnv, LOG_LEVEL: 'warn' },
        stdio: 'ignore',
      }),
    );
    // Four Nest processes start at once here, on a machine the rest of the run keeps busy.
    const started = await Promise.allSettled(
      nodeEnvs.slice(0, 2).map((apiEnv) => startApiProcess(apiEnv, { readyWithinMs: 60_000 })),
    );
    apis = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    for (const result of started) if (result.status === 'rejected') throw result.reason;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(apis.map((api) => api.stop()));
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.exitCode !== null || worker.signalCode !== null) return resolve();
            worker.once('exit', () => resolve());
            worker.kill('SIGTERM');
          }),
      ),
    );
    await core?.stop();
    await prisma?.$disconnect();
    await s3?.stop();
    await dropDatabase(adminUrl, databaseName);
    await Promise.all(localDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('serves a save made through one api from the other, and writes it back exactly once', async () => {
    const [apiA, apiB] = apis;
    const tenant = await createTestTenant(prisma, core);
    const fileRef = await core.refOf('Budget.xlsx');
    const opened = await fetch(`${apiA.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.sessionApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fileRef, userId: 'alice' }),
    });
    expect(opened.status).toBe(201);
    const { fileId, accessToken } = (await opened.json()) as { fileId: string; accessToken: string };
    const wopi = (api: ApiProcess, suffix = '') =>
      `${api.url}/wopi/files/${fileId}${suffix}?access_token=${encodeURIComponent(accessToken)}`;

    expect(
      (await fetch(wopi(apiA), { method: 'POST', headers: { 'x-wopi-override': 'LOCK', 'x-wopi-lock': 'multi-node' } }))
        .status,
    ).toBe(200);
    // The core app takes its time with uploads, so the read below surely meets the save still
    // waiting for its write-back, served from staging.
    await core.signedFetch('PUT', '/_control/fault', { mode: 'slow', delayMs: 3000, methods: ['PUT'] });
    const body = randomBytes(6 * 1024 * 1024 + 123);
    const saved = await fetch(wopi(apiA, '/contents'), {
      method: 'POST',
      headers: {
        'x-wopi-override': 'PUT',
        'x-wopi-lock': 'multi-node',
        'content-type': 'application/octet-stream',
      },
      body,
    });
    expect(saved.status).toBe(200);

    const readThroughB = await fetch(wopi(apiB, '/contents'));
    expect(readThroughB.status).toBe(200);
    expect(sha256(Buffer.from(await readThroughB.arrayBuffer()))).toBe(sha256(body));
    const waiting = await prisma.fileVersion.findFirstOrThrow({ where: { fileId }, orderBy: { number: 'desc' } });
    expect(waiting).toMatchObject({ writeBackState: 'PENDING', sha256: sha256(body), blobKey: sha256(body) });
    expect(await s3Keys(`${prefix}blobs/`)).toEqual([`${prefix}blobs/${sha256(body)}`]);

    await waitFor(
      async () => (await prisma.writeBackOutbox.count({ where: { fileId } })) === 0,
      'the write-back to finish',
      30_000,
    );
    const log = (await (await core.signedFetch('GET', '/_control/requests')).json()) as { requests: LoggedRequest[] };
    const writes = log.requests.filter((r) => r.method === 'PUT' && r.idempotencyKey?.startsWith(`${fileId}:`));
    expect(writes.filter((r) => r.status === 200 && !r.replayed)).toHaveLength(1);
    expect(writes.every((r) => r.idempotencyKey === `${fileId}:${waiting.number}`)).toBe(true);
    const inCore = await core.signedFetch('GET', `/core/v1/files/${fileRef}/content?userId=alice`);
    expect(sha256(Buffer.from(await inCore.arrayBuffer()))).toBe(sha256(body));
    expect(await prisma.fileVersion.findUniqueOrThrow({ where: { id: waiting.id } })).toMatchObject({
      writeBackState: 'CONFIRMED',
      blobKey: null,
    });

    // Read again through B once confirmed, then the blob leaves the shared store, and no node
    // ever put anything on its own disk.
    const confirmedRead = await fetch(wopi(apiB, '/contents'));
    expect(sha256(Buffer.from(await confirmedRead.arrayBuffer()))).toBe(sha256(body));
    await waitFor(async () => (await s3Keys(`${prefix}blobs/`)).length === 0, 'the blob to leave staging', 10_000);
    expect(await s3Keys(`${prefix}tmp/`)).toEqual([]);
    for (const dir of localDirs.slice(1)) expect(await readdir(dir)).toEqual([]);
  }, 60_000);

  async function s3Keys(under: string): Promise<string[]> {
    const env = s3.env(prefix);
    const client = new S3Client({
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION,
      forcePathStyle: true,
      credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY },
    });
    const page = await client.send(new ListObjectsV2Command({ Bucket: env.S3_BUCKET, Prefix: under }));
    client.destroy();
    return (page.Contents ?? []).map((object) => object.Key!);
  }
});
