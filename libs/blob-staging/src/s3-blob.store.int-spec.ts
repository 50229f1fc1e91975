import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { startS3TestServer, type S3TestServer } from '../../../test/support/s3-server';
import { describeBlobStoreContract, readAll } from '../test/blob-store.contract';
import { S3BlobStore } from './s3-blob.store';

const MIB = 1024 * 1024;
let server: S3TestServer | undefined;
afterAll(() => server?.stop());

async function s3(prefix: string) {
  server ??= await startS3TestServer();
  const env = server.env(prefix);
  const client = new S3Client({
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY },
  });
  const store = new S3BlobStore({
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION,
    bucket: env.S3_BUCKET,
    prefix,
    credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY },
    forcePathStyle: true,
    partSizeBytes: 5 * MIB,
    queueSize: 2,
  });
  const bucket = env.S3_BUCKET;
  const keysUnder = async (under: string) =>
    ((await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: under }))).Contents ?? []).map(
      (object) => object.Key!,
    );
  return { store, client, bucket, keysUnder };
}

describeBlobStoreContract('S3BlobStore', async () => {
  const prefix = `run-${randomUUID()}/`;
  const { store, client, bucket, keysUnder } = await s3(prefix);
  return {
    store,
    async leftovers() {
      const uploads = (await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }))).Uploads;
      return [
        ...(await keysUnder(`${prefix}tmp/`)),
        ...(uploads ?? []).map((upload) => `multipart upload of ${upload.Key}`),
      ];
    },
    blobKeys: async () => (await keysUnder(`${prefix}blobs/`)).map((key) => key.slice(`${prefix}blobs/`.length)),
    async crashMidUpload() {
      // A node that died during a body (a multipart upload with a part, never completed) and one
      // that died between the upload and the copy to the final key (a whole temporary object).
      const Key = `${prefix}tmp/${randomUUID()}`;
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key }));
      await client.send(
        new UploadPartCommand({ Bucket: bucket, Key, UploadId, PartNumber: 1, Body: randomBytes(5 * MIB) }),
      );
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: `${prefix}tmp/${randomUUID()}`, Body: randomBytes(1000) }),
      );
      return 2;
    },
  };
});

// A garbage collection on demand (Jest's workers do not run with --expose-gc).
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

describe('S3BlobStore with a large body', () => {
  it('streams 96 MiB through with memory bounded by its parts, not by the body', async () => {
    const { store } = await s3(`large-${randomUUID()}/`);
    const total = 96 * MIB;
    const slice = randomBytes(256 * 1024);
    let sent = 0;
    // Generated as it is read, so the only copies of the body in this process are the store's.
    const body = new Readable({
      read() {
        if (sent >= total) return this.push(null);
        sent += slice.length;
        this.push(Buffer.from(slice));
      },
    });
    // What is alive, not what is garbage the collector has not reached yet: on a loaded machine
    // collection lags, and freed parts would count as if the body were buffered.
    const memory = () => {
      collectGarbage();
      const usage = process.memoryUsage();
      return usage.heapUsed + usage.arrayBuffers;
    };
    const baseline = memory();
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, memory())), 50);
    try {
      const staged = await store.put(body, { maxBytes: 128 * MIB, expectedBytes: total });
      expect(staged.sizeBytes).toBe(total);
      expect(await store.sizeOf(staged.key)).toBe(total);
    } finally {
      clearInterval(sampler);
    }
    // The parts in flight plus the one being filled; a buffered body would add 96 MiB.
    expect(peak - baseline).toBeLessThan(48 * MIB);
  }, 120_000);

  it('reads a large blob back as a stream', async () => {
    const { store } = await s3(`read-${randomUUID()}/`);
    const bytes = randomBytes(11 * MIB);
    const staged = await store.put(Readable.from([bytes]), { maxBytes: 20 * MIB });
    expect((await readAll(await store.open(staged.key))).equals(bytes)).toBe(true);
  });

  it("reports the store's own refusal, not the cut body stream, when the upload fails first", async () => {
    server ??= await startS3TestServer();
    const env = server.env('any/');
    const store = new S3BlobStore({
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION,
      bucket: 'no-such-bucket',
      prefix: 'any/',
      credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY },
      forcePathStyle: true,
      partSizeBytes: 5 * MIB,
    });
    const body = Readable.from(Array.from({ length: 8 }, () => randomBytes(2 * MIB)));
    await expect(store.put(body, { maxBytes: 100 * MIB })).rejects.toMatchObject({ name: 'NoSuchBucket' });
    expect(body.destroyed).toBe(true);
  });
});
