import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { BlobIncompleteError, BlobTooLargeError } from './blob-store.port';
import { LocalDiskBlobStore } from './local-disk-blob.store';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('LocalDiskBlobStore', () => {
  let root: string;
  let store: LocalDiskBlobStore;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'blobs-'));
    store = new LocalDiskBlobStore(root);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('stores a stream under its SHA-256 and gives the same bytes back', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    const staged = await store.put(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), {
      maxBytes: 10 * 1024 * 1024,
    });
    expect(staged).toEqual({
      key: createHash('sha256').update(bytes).digest('hex'),
      sha256: createHash('sha256').update(bytes).digest('hex'),
      sizeBytes: bytes.length,
    });
    expect((await readAll(await store.open(staged.key))).equals(bytes)).toBe(true);
    await store.delete(staged.key);
    expect(await store.sizeOf(staged.key)).toBeNull();
  });

  it('stores an empty body (a new, 0-byte document)', async () => {
    const staged = await store.put(Readable.from([]), { maxBytes: 10 });
    expect(staged.sizeBytes).toBe(0);
    expect(staged.sha256).toBe(createHash('sha256').digest('hex'));
  });

  it('refuses a body over the limit and keeps nothing of it', async () => {
    await expect(
      store.put(Readable.from([randomBytes(600), randomBytes(600)]), { maxBytes: 1000 }),
    ).rejects.toBeInstanceOf(BlobTooLargeError);
    expect(await readdir(path.join(root, 'tmp'))).toEqual([]);
    await expect(readdir(path.join(root, 'blobs'))).rejects.toThrow();
  });

  it('keeps nothing when the body stream fails half way', async () => {
    const failing = new Readable({
      read() {
        this.push(randomBytes(100));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(store.put(failing, { maxBytes: 1000 })).rejects.toThrow('client went away');
    expect(await readdir(path.join(root, 'tmp'))).toEqual([]);
  });

  it('refuses a body shorter or longer than its declared length and keeps nothing of it', async () => {
    for (const [sent, declared] of [
      [1000, 1200],
      [1000, 999],
      [0, 1],
    ]) {
      await expect(
        store.put(Readable.from(sent ? [randomBytes(sent)] : []), { maxBytes: 10_000, expectedBytes: declared }),
      ).rejects.toEqual(new BlobIncompleteError(declared, sent > declared ? declared + 1 : sent));
    }
    expect(await readdir(path.join(root, 'tmp'))).toEqual([]);
    await expect(readdir(path.join(root, 'blobs'))).rejects.toThrow();
  });

  it('stores a body of exactly its declared length', async () => {
    const bytes = randomBytes(4096);
    const staged = await store.put(Readable.from([bytes]), { maxBytes: 10_000, expectedBytes: 4096 });
    expect(staged.sizeBytes).toBe(4096);
    expect((await readAll(await store.open(staged.key))).equals(bytes)).toBe(true);
  });

  it('refuses keys that are not SHA-256 digests (no path traversal), and a missing blob at once', async () => {
    await expect(store.open('../../etc/passwd')).rejects.toThrow('not a blob key');
    await expect(store.open('0'.repeat(64))).rejects.toThrow('ENOENT');
  });
});
