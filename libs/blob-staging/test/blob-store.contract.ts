import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { BlobIncompleteError, BlobNotFoundError, type BlobStore, BlobTooLargeError } from '../src';

/** One adapter under test, and what it holds behind the port (to check that nothing is left). */
export interface BlobStoreUnderTest {
  store: BlobStore;
  /** Everything the store holds that is not a finished blob: temp files/keys, unfinished multipart uploads. */
  leftovers(): Promise<string[]>;
  /** The keys of the finished blobs it holds. */
  blobKeys(): Promise<string[]>;
  /** Leaves behind what a node that crashed mid-body would (as the adapter writes it); returns how many. */
  crashMidUpload(): Promise<number>;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const MIB = 1024 * 1024;

/** A body that sends `bytes` in slices, then fails as a client that went away does. */
function failingAfter(bytes: Buffer, sliceBytes: number): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= bytes.length) return this.destroy(new Error('client went away'));
      this.push(bytes.subarray(offset, offset + sliceBytes));
      offset += sliceBytes;
    },
  });
}

/**
 * The BlobStore port's guarantees, run against every adapter (local disk, S3): the same
 * behaviours, observed through the port and through what each adapter holds behind it.
 */
export function describeBlobStoreContract(name: string, open: () => Promise<BlobStoreUnderTest>): void {
  describe(`${name} (BlobStore contract)`, () => {
    let subject: BlobStoreUnderTest;
    let store: BlobStore;

    beforeEach(async () => {
      subject = await open();
      store = subject.store;
    });

    it('stores a stream under its SHA-256 and gives the same bytes back', async () => {
      await expect(store.checkReachable()).resolves.toBeUndefined();
      const bytes = randomBytes(3 * MIB + 17);
      const staged = await store.put(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), {
        maxBytes: 10 * MIB,
      });
      expect(staged).toEqual({ key: sha256(bytes), sha256: sha256(bytes), sizeBytes: bytes.length });
      expect((await readAll(await store.open(staged.key))).equals(bytes)).toBe(true);
      expect(await store.sizeOf(staged.key)).toBe(bytes.length);
      expect(await subject.blobKeys()).toEqual([staged.key]);
      expect(await subject.leftovers()).toEqual([]);
      await store.delete(staged.key);
      expect(await store.sizeOf(staged.key)).toBeNull();
      expect(await store.storedAt(staged.key)).toBeNull();
      await expect(store.open(staged.key)).rejects.toBeInstanceOf(BlobNotFoundError);
    });

    it('stores a body of several multipart-sized parts, sent in odd slices', async () => {
      const bytes = randomBytes(13 * MIB + 5);
      const slices: Buffer[] = [];
      for (let offset = 0; offset < bytes.length; offset += 777_777)
        slices.push(bytes.subarray(offset, offset + 777_777));
      const staged = await store.put(Readable.from(slices), { maxBytes: 20 * MIB, expectedBytes: bytes.length });
      expect(staged.sha256).toBe(sha256(bytes));
      expect(sha256(await readAll(await store.open(staged.key)))).toBe(sha256(bytes));
      expect(await subject.leftovers()).toEqual([]);
    });

    it('stores an empty body (a new, 0-byte document)', async () => {
      const staged = await store.put(Readable.from([]), { maxBytes: 10 });
      expect(staged).toEqual({ key: sha256(Buffer.alloc(0)), sha256: sha256(Buffer.alloc(0)), sizeBytes: 0 });
      expect((await readAll(await store.open(staged.key))).length).toBe(0);
    });

    it('stores the same bytes once, and a second put renews when they were stored', async () => {
      const bytes = randomBytes(2048);
      const first = await store.put(Readable.from([bytes]), { maxBytes: 10_000 });
      const firstStored = (await store.storedAt(first.key))!;
      await new Promise((resolve) => setTimeout(resolve, 1100)); // S3 times have whole seconds
      const second = await store.put(Readable.from([bytes]), { maxBytes: 10_000 });
      expect(second).toEqual(first);
      expect(await subject.blobKeys()).toEqual([first.key]);
      expect((await store.storedAt(first.key))!.getTime()).toBeGreaterThan(firstStored.getTime());
    });

    it('refuses a body over the limit and keeps nothing of it (also past a multipart part)', async () => {
      await expect(
        store.put(Readable.from([randomBytes(600), randomBytes(600)]), { maxBytes: 1000 }),
      ).rejects.toBeInstanceOf(BlobTooLargeError);
      const big = randomBytes(12 * MIB);
      await expect(
        store.put(Readable.from([big.subarray(0, 6 * MIB), big.subarray(6 * MIB)]), { maxBytes: 11 * MIB }),
      ).rejects.toBeInstanceOf(BlobTooLargeError);
      expect(await subject.leftovers()).toEqual([]);
      expect(await subject.blobKeys()).toEqual([]);
    });

    it('keeps nothing when the body stream fails half way (also after whole parts went out)', async () => {
      await expect(store.put(failingAfter(randomBytes(100), 100), { maxBytes: 1000 })).rejects.toThrow(
        'client went away',
      );
      await expect(store.put(failingAfter(randomBytes(20 * MIB), MIB), { maxBytes: 100 * MIB })).rejects.toThrow(
        'client went away',
      );
      expect(await subject.leftovers()).toEqual([]);
      expect(await subject.blobKeys()).toEqual([]);
    });

    it('refuses a body shorter or longer than its declared length and keeps nothing of it', async () => {
      for (const [sent, declared] of [
        [1000, 1200],
        [1000, 999],
        [0, 1],
        [12 * MIB, 12 * MIB + 1],
      ]) {
        await expect(
          store.put(Readable.from(sent ? [randomBytes(sent)] : []), { maxBytes: 20 * MIB, expectedBytes: declared }),
        ).rejects.toEqual(new BlobIncompleteError(declared, sent > declared ? declared + 1 : sent));
      }
      expect(await subject.leftovers()).toEqual([]);
      expect(await subject.blobKeys()).toEqual([]);
    });

    it('stores a body of exactly its declared length', async () => {
      const bytes = randomBytes(4096);
      const staged = await store.put(Readable.from([bytes]), { maxBytes: 10_000, expectedBytes: 4096 });
      expect(staged.sizeBytes).toBe(4096);
      expect((await readAll(await store.open(staged.key))).equals(bytes)).toBe(true);
    });

    it('refuses keys that are not SHA-256 digests (no path traversal), and a missing blob at once', async () => {
      await expect(store.open('../../etc/passwd')).rejects.toThrow('not a blob key');
      await expect(store.open('0'.repeat(64))).rejects.toEqual(new BlobNotFoundError('0'.repeat(64)));
      expect(await store.sizeOf('0'.repeat(64))).toBeNull();
      await expect(store.delete('0'.repeat(64))).resolves.toBeUndefined();
    });

    it('removes what crashed uploads left once they are older than the cutoff, and no blob', async () => {
      const kept = await store.put(Readable.from([randomBytes(100)]), { maxBytes: 1000 });
      const crashed = await subject.crashMidUpload();
      expect((await subject.leftovers()).length).toBe(crashed);
      expect(await store.removeAbandonedUploads(new Date(Date.now() - 60_000))).toBe(0);
      expect((await subject.leftovers()).length).toBe(crashed);
      expect(await store.removeAbandonedUploads(new Date(Date.now() + 60_000))).toBe(crashed);
      expect(await subject.leftovers()).toEqual([]);
      expect(await subject.blobKeys()).toEqual([kept.key]);
    });

    it('lists the blobs stored before a cutoff, and only those', async () => {
      const older = await store.put(Readable.from([randomBytes(100)]), { maxBytes: 1000 });
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const cutoff = new Date();
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const newer = await store.put(Readable.from([randomBytes(100)]), { maxBytes: 1000 });
      const listed: string[] = [];
      for await (const key of store.keysStoredBefore(cutoff)) listed.push(key);
      expect(listed).toEqual([older.key]);
      expect((await subject.blobKeys()).sort()).toEqual([older.key, newer.key].sort());
    });
  });
}
