import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { LocalDiskBlobStore } from '@wopi/blob-staging';
import { PrismaService } from '@wopi/db';
import { createTestFile } from '../../../test/support/test-tenant';
import { holdForSaveSql, StagedBlobGoneError, StagedBlobs } from './staged-blobs';
import { VersionLedger } from './version-ledger.repository';

describe('StagedBlobs', () => {
  let prisma: PrismaService;
  let staging: string;
  let store: LocalDiskBlobStore;
  let stagedBlobs: StagedBlobs;
  let ledger: VersionLedger;

  beforeAll(async () => {
    prisma = new PrismaService(process.env.DATABASE_URL!);
    staging = await mkdtemp(path.join(tmpdir(), 'staged-blobs-'));
    store = new LocalDiskBlobStore(staging);
    stagedBlobs = new StagedBlobs(prisma, store);
    ledger = new VersionLedger(prisma, stagedBlobs);
  });

  afterAll(async () => {
    await prisma.$disconnect();
    await rm(staging, { recursive: true, force: true });
  });

  const stage = (label: string) =>
    store.put(Readable.from([Buffer.from(`${label} ${randomBytes(8).toString('hex')}`)]), { maxBytes: 1024 });

  const newFile = async (): Promise<string> => (await createTestFile(prisma)).fileId;

  const saveOf = (blob: { key: string; sha256: string; sizeBytes: number }, tenantId: string) => ({
    sha256: blob.sha256,
    sizeBytes: blob.sizeBytes,
    blobKey: blob.key,
    savedBy: 'alice',
    editors: [],
    tenantId,
    coreUserId: 'alice',
  });

  it('deletes only the blobs no waiting save needs', async () => {
    const fileId = await newFile();
    const { tenantId } = await prisma.file.findUniqueOrThrow({ where: { id: fileId } });
    const waiting = await stage('waiting');
    const done = await stage('done');
    await ledger.recordWopiSave(fileId, saveOf(waiting, tenantId));

    expect(await stagedBlobs.release([waiting.key, done.key])).toEqual([done.key]);

    expect(await store.sizeOf(waiting.key)).toBe(waiting.sizeBytes);
    expect(await store.sizeOf(done.key)).toBeNull();
  });

  it('lets a save being recorded keep its blob: a release of the same bytes waits, then keeps it', async () => {
    const fileId = await newFile();
    const blob = await stage('same bytes');
    let letSaveCommit!: () => void;
    const saveMayCommit = new Promise<void>((resolve) => (letSaveCommit = resolve));
    let held!: () => void;
    const isHeld = new Promise<void>((resolve) => (held = resolve));
    const saving = prisma.$transaction(async (tx) => {
      // What recordWopiSave does first: the blob's lock, then the check that it is still there.
      await tx.$executeRaw`SELECT ${holdForSaveSql(blob.key)}`;
      await stagedBlobs.assertStillStaged(blob.key);
      held();
      await saveMayCommit;
      await tx.fileVersion.create({
        data: {
          fileId,
          number: 1,
          origin: 'WOPI',
          sha256: blob.sha256,
          sizeBytes: BigInt(blob.sizeBytes),
          blobKey: blob.key,
          writeBackState: 'PENDING',
          savedBy: 'alice',
        },
      });
    });
    await isHeld;

    let released = false;
    const releasing = stagedBlobs.release([blob.key]).then(() => (released = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(released).toBe(false);
    letSaveCommit();
    await saving;
    await releasing;

    expect(await store.sizeOf(blob.key)).toBe(blob.sizeBytes);
  });

  it("holds a save's blob from the save's first statement on: a release meanwhile waits, then keeps it", async () => {
    const fileId = await newFile();
    const { tenantId } = await prisma.file.findUniqueOrThrow({ where: { id: fileId } });
    const blob = await stage('held');
    let release: Promise<string[]> | undefined;
    // The commit guard runs after the statement that takes the file's row lock and the blob's lock.
    const save = { ...saveOf(blob, tenantId), editors: ['t.alice', 't.bob'], lock: 'lock-1' };
    const saved = await ledger.recordWopiSave(fileId, save, async () => {
      release = stagedBlobs.release([blob.key]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await store.sizeOf(blob.key)).toBe(blob.sizeBytes);
    });
    // What it returns is what was stored, as Prisma reads it back (the enqueue relies on it).
    const { outbox, ...version } = saved;
    expect(await prisma.fileVersion.findUniqueOrThrow({ where: { id: saved.id } })).toEqual(version);
    expect(await prisma.writeBackOutbox.findUniqueOrThrow({ where: { versionId: saved.id } })).toEqual(outbox);
    expect(version).toMatchObject({ writeBackState: 'PENDING', origin: 'WOPI', editors: ['t.alice', 't.bob'] });
    expect((await prisma.file.findUniqueOrThrow({ where: { id: fileId } })).currentVersion).toBe(saved.number);
    // The release waited for the save's commit, then found the new version needing the blob.
    expect(await release).toEqual([]);
    expect(await store.sizeOf(blob.key)).toBe(blob.sizeBytes);
  });

  it('refuses to record a save whose blob was released before it could be held', async () => {
    const fileId = await newFile();
    const { tenantId } = await prisma.file.findUniqueOrThrow({ where: { id: fileId } });
    const blob = await stage('gone');
    await stagedBlobs.release([blob.key]);

    await expect(ledger.recordWopiSave(fileId, saveOf(blob, tenantId))).rejects.toBeInstanceOf(StagedBlobGoneError);
    expect(await prisma.fileVersion.count({ where: { fileId } })).toBe(0);
    expect(await prisma.writeBackOutbox.count({ where: { fileId } })).toBe(0);
    expect((await prisma.file.findUniqueOrThrow({ where: { id: fileId } })).currentVersion).toBe(0);
  });

  it('lets a sweep delete an orphan only if it was not staged again since its listing, once across overlapping sweeps', async () => {
    const { utimes } = await import('node:fs/promises');
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    const cutoff = new Date(Date.now() - 60 * 60 * 1000);
    const backdate = (key: string) =>
      utimes(path.join(staging, 'blobs', key.slice(0, 2), key), twoHoursAgo, twoHoursAgo);
    const orphan = await stage('orphan');
    const bytes = Buffer.from(`restaged ${randomBytes(8).toString('hex')}`);
    const restaged = await store.put(Readable.from([bytes]), { maxBytes: 1024 });
    await Promise.all([backdate(orphan.key), backdate(restaged.key)]);

    // Two sweeps (say, on two nodes) listed both as older than the cutoff...
    const listed: string[] = [];
    for await (const key of store.keysStoredBefore(cutoff)) listed.push(key);
    expect(listed).toEqual(expect.arrayContaining([orphan.key, restaged.key]));
    // ...then a PutFile on a third node stages the same bytes again, not yet recorded.
    await store.put(Readable.from([bytes]), { maxBytes: 1024 });

    const deleted = await Promise.all([
      stagedBlobs.release([orphan.key, restaged.key], { storedBefore: cutoff }),
      stagedBlobs.release([orphan.key, restaged.key], { storedBefore: cutoff }),
    ]);
    expect(deleted.flat()).toEqual([orphan.key]);
    expect(await store.sizeOf(orphan.key)).toBeNull();
    // The save can still be recorded: its bytes are there.
    const fileId = await newFile();
    const { tenantId } = await prisma.file.findUniqueOrThrow({ where: { id: fileId } });
    await expect(ledger.recordWopiSave(fileId, saveOf(restaged, tenantId))).resolves.toBeDefined();
    expect(await store.sizeOf(restaged.key)).toBe(bytes.length);
  });

  it("keeps a confirmed save's blob that an autosave of the same bytes has just staged again", async () => {
    const fileId = await newFile();
    const { tenantId } = await prisma.file.findUniqueOrThrow({ where: { id: fileId } });
    const bytes = Buffer.from(`unchanged ${randomBytes(8).toString('hex')}`);
    const first = await store.put(Readable.from([bytes]), { maxBytes: 1024 });
    const saved = await ledger.recordWopiSave(fileId, saveOf(first, tenantId));
    // The next autosave sends the same bytes: staged again under the same key, not yet recorded.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const again = await store.put(Readable.from([bytes]), { maxBytes: 1024 });
    expect(again.key).toBe(first.key);
    // Meanwhile the worker confirms the first save and releases what it held.
    await ledger.confirm(saved, 'core-v2');
    expect(await store.sizeOf(again.key)).toBe(bytes.length);
    // So the autosave records; before, it found its blob gone (StagedBlobGoneError, a 500).
    const next = await ledger.recordWopiSave(fileId, saveOf(again, tenantId));
    expect(next.number).toBe(saved.number + 1);
  });

  it("releases a confirmed save's blob that nothing staged again", async () => {
    const fileId = await newFile();
    const { tenantId } = await prisma.file.findUniqueOrThrow({ where: { id: fileId } });
    const blob = await stage('confirmed');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const saved = await ledger.recordWopiSave(fileId, saveOf(blob, tenantId));
    await ledger.confirm(saved, 'core-v2');
    expect(await store.sizeOf(blob.key)).toBeNull();
  });
});
