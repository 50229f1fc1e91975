import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describeBlobStoreContract } from '../test/blob-store.contract';
import { LocalDiskBlobStore } from './local-disk-blob.store';

const roots: string[] = [];
afterEach(() => Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true }))));

describeBlobStoreContract('LocalDiskBlobStore', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'blobs-'));
  roots.push(root);
  return {
    store: new LocalDiskBlobStore(root),
    leftovers: () => readdir(path.join(root, 'tmp')).catch(() => []),
    blobKeys: async () =>
      (await readdir(path.join(root, 'blobs'), { recursive: true }).catch(() => [] as string[]))
        .map((entry) => path.basename(entry))
        .filter((name) => /^[0-9a-f]{64}$/.test(name)),
    async crashMidUpload() {
      await mkdir(path.join(root, 'tmp'), { recursive: true });
      await writeFile(path.join(root, 'tmp', randomUUID()), randomBytes(1000));
      return 1;
    },
  };
});

describe('LocalDiskBlobStore folders', () => {
  it('makes its folders when they are missing, also after someone removed them', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'blobs-'));
    roots.push(root);
    const store = new LocalDiskBlobStore(root);
    const put = (text: string) => store.put(Readable.from([Buffer.from(text)]), { maxBytes: 1024 });
    const first = await put('first');
    // A save does not make them every time: once removed (an operator cleaning up), the next
    // save must still find its way.
    await rm(path.join(root, 'tmp'), { recursive: true, force: true });
    await rm(path.join(root, 'blobs'), { recursive: true, force: true });
    const second = await put('second');
    expect(await store.sizeOf(second.key)).toBe('second'.length);
    expect(await store.sizeOf(first.key)).toBeNull();
  });
});
