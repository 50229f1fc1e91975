import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { FileHandle, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ContentMeter } from './content-meter';
import {
  DocumentRecord,
  IdempotentWrite,
  parseDocumentRecord,
  REF_PATTERN,
  serializeDocumentRecord,
} from './document-record';
import { nameKey } from './file-name';
import { IDEMPOTENCY_RETENTION_MS, MAX_IDEMPOTENT_WRITES_PER_DOCUMENT } from './idempotency';
import { KeyedMutex } from './keyed-mutex';

/** Bytes written to a temp file in the documents directory and fsynced, not yet visible. */
export interface StagedContent {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

export interface OpenedContent {
  readonly record: DocumentRecord;
  /** Size of the bytes the stream will deliver (from the open file, not the record). */
  readonly size: number;
  readonly stream: Readable;
}

/** The Idempotency-Key a change was made under, recorded with it. */
export interface IdempotencyStamp {
  readonly key: string;
  readonly fingerprint: string;
  readonly status: 200 | 201;
}

export interface NewDocument {
  readonly name: string;
  readonly ownerId: string;
  readonly staged: StagedContent;
  readonly idempotency?: IdempotencyStamp;
}

/** A remembered keyed write and the document it is recorded on. */
export interface FoundIdempotentWrite {
  readonly record: DocumentRecord;
  readonly write: IdempotentWrite;
}

// Mutex key for the folder's names (create, rename, delete); refs match REF_PATTERN, so this
// can never collide with one.
const NAMES_LOCK = '#names';
const TEMP_SUFFIX = '.tmp';
const CONTENT_SUFFIX = '.content';
const RECORD_SUFFIX = '.json';
// An empty file per deleted ref. The gateway keys its file IDs, versions and locks on the ref,
// so a ref must never come back naming a different document (a new "Report.docx" starting
// again at version 1 would look unchanged to it).
const RETIRED_SUFFIX = '.deleted';

/**
 * Documents on local disk. Layout of `<dataDir>/documents`:
 *
 *   <ref>.json                metadata (DocumentRecord), replaced atomically
 *   <ref>.v<version>.content  bytes of the current version; named by version so that a crash
 *                             between writing content and metadata never pairs new bytes with
 *                             an old version: the record names exactly one content file
 *   <ref>.deleted             an empty marker per deleted document: its ref is never reused
 *   .<uuid>.tmp               uploads and metadata being written
 *
 * A write renames fsynced content into place, then atomically replaces the record, then removes
 * the previous content file. Start-up deletes temp files and content no record names, which is
 * all a crash can leave behind. Single process only: the per-document mutex is in memory.
 *
 * All documents live in one folder ("Shared documents"), so names are unique across the store
 * (case-insensitively, see nameKey). Lock order, to stay free of deadlocks: names, then ref.
 */
export class DocumentStore {
  private readonly records = new Map<string, DocumentRecord>();
  /** nameKey(name) -> ref. */
  private readonly refsByName = new Map<string, string>();
  /** Idempotency-Key -> ref of the record that remembers it. */
  private readonly refsByIdempotencyKey = new Map<string, string>();
  /** Refs of deleted documents, never handed out again. */
  private readonly retiredRefs = new Set<string>();
  private readonly mutex = new KeyedMutex();

  private constructor(private readonly directory: string) {}

  /** Opens (creating if needed) the store under `dataDir` and loads every record. */
  static async open(dataDir: string): Promise<DocumentStore> {
    const store = new DocumentStore(join(dataDir, 'documents'));
    await mkdir(store.directory, { recursive: true });
    await store.load();
    return store;
  }

  list(): DocumentRecord[] {
    return [...this.records.values()].sort((a, b) => a.name.localeCompare(b.name) || a.ref.localeCompare(b.ref));
  }

  get(ref: string): DocumentRecord | undefined {
    return this.records.get(ref);
  }

  /** The document called `name` in the folder, compared as nameKey does. */
  findByName(name: string): DocumentRecord | undefined {
    const ref = this.refsByName.get(nameKey(name));
    return ref === undefined ? undefined : this.records.get(ref);
  }

  /** The write remembered under `key`, unless it is older than the retention period. */
  findIdempotentWrite(key: string, nowMs = Date.now()): FoundIdempotentWrite | undefined {
    const ref = this.refsByIdempotencyKey.get(key);
    const record = ref === undefined ? undefined : this.records.get(ref);
    const write = record?.idempotentWrites.find((candidate) => candidate.key === key);
    if (record === undefined || write === undefined || !isRetained(write, nowMs)) return undefined;
    return { record, write };
  }

  /** True for a new data directory: no documents, and none ever deleted. */
  get isEmpty(): boolean {
    return this.records.size === 0 && this.retiredRefs.size === 0;
  }

  /** Runs `task` while no other write (or content open) on `ref` runs. */
  exclusive<T>(ref: string, task: () => Promise<T>): Promise<T> {
    return this.mutex.run(ref, task);
  }

  /** Runs `task` while no other task changes the folder's names (create, rename, remove). */
  namespace<T>(task: () => Promise<T>): Promise<T> {
    return this.mutex.run(NAMES_LOCK, task);
  }

  /**
   * Opens the current content. Under the document's lock so that the file the record names
   * cannot be removed by a concurrent write between reading the record and opening it; once
   * open, the stream reads that version to the end even if a write replaces it meanwhile.
   */
  openContent(ref: string): Promise<OpenedContent | undefined> {
    return this.exclusive(ref, async () => {
      const record = this.records.get(ref);
      if (record === undefined) return undefined;
      const handle = await open(join(this.directory, record.contentFile), 'r');
      try {
        const { size } = await handle.stat();
        return { record, size, stream: handle.createReadStream() };
      } catch (error) {
        await handle.close();
        throw error;
      }
    });
  }

  /**
   * Streams `body` to a temp file beside the documents, fsyncs it, and reports size and
   * SHA-256. Rejects (and removes the temp file) when the body exceeds `maxBytes` or fails.
   */
  async stage(body: Readable, maxBytes: number): Promise<StagedContent> {
    const path = this.tempPath();
    const meter = new ContentMeter(maxBytes);
    // `flush` fsyncs before the stream closes the file, and so before the rename that publishes
    // it: otherwise a power loss can leave a published name on data that never reached the disk.
    const file = createWriteStream(path, { flags: 'wx', mode: 0o600, flush: true });
    try {
      await pipeline(body, meter, file);
    } catch (error) {
      await unlink(path).catch(() => undefined);
      throw error;
    }
    return { path, size: meter.size, sha256: meter.digest() };
  }

  /** Removes a staged file that was not committed; a no-op once it was. */
  async discard(staged: StagedContent): Promise<void> {
    await unlink(staged.path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  /**
   * Makes `staged` the next version of `ref`. The caller must hold `exclusive(ref)` and have
   * checked its preconditions against `get(ref)` inside it.
   */
  async commit(ref: string, staged: StagedContent, idempotency?: IdempotencyStamp): Promise<DocumentRecord> {
    const current = this.records.get(ref);
    if (current === undefined) throw new Error(`commit on unknown document ${ref}`);
    const version = String(Number(current.version) + 1);
    const lastModifiedTime = new Date().toISOString();
    const next: DocumentRecord = {
      ...current,
      version,
      size: staged.size,
      sha256: staged.sha256,
      lastModifiedTime,
      contentFile: contentFileName(ref, version),
      idempotentWrites: withWrite(current.idempotentWrites, idempotency, {
        version,
        size: staged.size,
        sha256: staged.sha256,
        lastModifiedTime,
      }),
    };
    await this.publish(next, staged);
    await this.removeQuietly(current.contentFile);
    return next;
  }

  /**
   * Adds a document at version "1" under a fresh ref derived from its name. The caller must
   * hold `namespace()` and have checked that the name is free inside it.
   */
  async create(document: NewDocument): Promise<DocumentRecord> {
    if (this.findByName(document.name) !== undefined) throw new Error(`name ${document.name} is taken`);
    const ref = this.allocateRef(document.name);
    const lastModifiedTime = new Date().toISOString();
    const record: DocumentRecord = {
      ref,
      name: document.name,
      ownerId: document.ownerId,
      version: '1',
      size: document.staged.size,
      sha256: document.staged.sha256,
      lastModifiedTime,
      contentFile: contentFileName(ref, '1'),
      idempotentWrites: withWrite([], document.idempotency, {
        version: '1',
        size: document.staged.size,
        sha256: document.staged.sha256,
        lastModifiedTime,
      }),
    };
    await this.exclusive(ref, () => this.publish(record, document.staged));
    return record;
  }

  /**
   * Gives `ref` a new name; the ref, version and content stay. The caller must hold
   * `namespace()` and have checked that the name is free inside it.
   */
  rename(ref: string, name: string): Promise<DocumentRecord | undefined> {
    return this.exclusive(ref, async () => {
      const current = this.records.get(ref);
      if (current === undefined) return undefined;
      const holder = this.findByName(name);
      if (holder !== undefined && holder.ref !== ref) throw new Error(`name ${name} is taken`);
      const next: DocumentRecord = { ...current, name };
      await this.writeRecord(next);
      this.index(next, current);
      return next;
    });
  }

  /**
   * Deletes `ref`: first its record (the commit point: without it the document does not exist,
   * and start-up sweeps the content), then its content. The caller must hold `namespace()`.
   * False when there was no such document.
   */
  remove(ref: string): Promise<boolean> {
    return this.exclusive(ref, async () => {
      const current = this.records.get(ref);
      if (current === undefined) return false;
      // Retire the ref first: a crash after it leaves a live document with a retired ref,
      // which is harmless; the other order could leave a deleted ref free to be reused.
      await (await open(join(this.directory, `${ref}${RETIRED_SUFFIX}`), 'w', 0o600)).close();
      this.retiredRefs.add(ref);
      await unlink(join(this.directory, `${ref}${RECORD_SUFFIX}`));
      await syncDirectory(this.directory);
      this.records.delete(ref);
      this.unindex(current);
      // A reader that opened the content before keeps reading it: unlink only drops the name.
      await this.removeQuietly(current.contentFile);
      return true;
    });
  }

  private async publish(record: DocumentRecord, staged: StagedContent): Promise<void> {
    await rename(staged.path, join(this.directory, record.contentFile));
    await this.writeRecord(record);
    this.index(record, this.records.get(record.ref));
  }

  /** Updates the in-memory record and the name and key indexes from `previous` to `record`. */
  private index(record: DocumentRecord, previous: DocumentRecord | undefined): void {
    if (previous !== undefined) this.unindex(previous);
    this.records.set(record.ref, record);
    this.refsByName.set(nameKey(record.name), record.ref);
    for (const write of record.idempotentWrites) this.refsByIdempotencyKey.set(write.key, record.ref);
  }

  private unindex(record: DocumentRecord): void {
    if (this.refsByName.get(nameKey(record.name)) === record.ref) this.refsByName.delete(nameKey(record.name));
    for (const write of record.idempotentWrites) {
      if (this.refsByIdempotencyKey.get(write.key) === record.ref) this.refsByIdempotencyKey.delete(write.key);
    }
  }

  private async writeRecord(record: DocumentRecord): Promise<void> {
    const path = this.tempPath();
    const handle = await open(path, 'wx', 0o600);
    try {
      await handle.writeFile(serializeDocumentRecord(record));
      await handle.sync();
    } catch (error) {
      await handle.close().catch(() => undefined);
      await unlink(path).catch(() => undefined);
      throw error;
    }
    await handle.close();
    await rename(path, join(this.directory, `${record.ref}${RECORD_SUFFIX}`));
    // The renames above are only durable once the directory entry itself is on disk.
    await syncDirectory(this.directory);
  }

  private async load(): Promise<void> {
    const names = new Set(await readdir(this.directory));
    for (const name of names) {
      if (name.endsWith(RETIRED_SUFFIX)) this.retiredRefs.add(name.slice(0, -RETIRED_SUFFIX.length));
    }
    for (const name of names) {
      if (!name.endsWith(RECORD_SUFFIX) || name.startsWith('.')) continue;
      const source = join(this.directory, name);
      const record = parseDocumentRecord(await readFile(source, 'utf8'), source);
      if (`${record.ref}${RECORD_SUFFIX}` !== name) {
        throw new Error(`${source}: ref ${record.ref} does not match the file name`);
      }
      const namesake = this.findByName(record.name);
      if (namesake !== undefined) {
        throw new Error(`${source}: name ${JSON.stringify(record.name)} is also the name of ${namesake.ref}`);
      }
      this.index(record, undefined);
    }
    const referenced = new Set([...this.records.values()].map((record) => record.contentFile));
    for (const record of this.records.values()) {
      if (!names.has(record.contentFile)) {
        throw new Error(`${join(this.directory, record.contentFile)}: content of ${record.ref} is missing`);
      }
    }
    // Leftovers of a crash: uploads never committed, and versions written but never (or no
    // longer) named by a record.
    for (const name of names) {
      const orphanContent = name.endsWith(CONTENT_SUFFIX) && !referenced.has(name);
      const staleTemp = name.startsWith('.') && name.endsWith(TEMP_SUFFIX);
      if (orphanContent || staleTemp) await this.removeQuietly(name);
    }
  }

  private allocateRef(name: string): string {
    const free = (ref: string) => !this.records.has(ref) && !this.retiredRefs.has(ref);
    const base = `doc-${slugify(name)}`;
    if (free(base)) return base;
    for (;;) {
      const candidate = `${base.slice(0, 120)}-${randomUUID().slice(0, 6)}`;
      if (free(candidate)) return candidate;
    }
  }

  private tempPath(): string {
    return join(this.directory, `.${randomUUID()}${TEMP_SUFFIX}`);
  }

  private async removeQuietly(fileName: string): Promise<void> {
    // Losing an old version's file only costs disk space until the next start-up sweep.
    await unlink(join(this.directory, fileName)).catch(() => undefined);
  }
}

function isRetained(write: IdempotentWrite, nowMs: number): boolean {
  return Date.parse(write.recordedAt) + IDEMPOTENCY_RETENTION_MS > nowMs;
}

/** `writes` without expired entries, plus the new one (if any), bounded in number. */
function withWrite(
  writes: readonly IdempotentWrite[],
  stamp: IdempotencyStamp | undefined,
  result: Pick<IdempotentWrite, 'version' | 'size' | 'sha256' | 'lastModifiedTime'>,
): IdempotentWrite[] {
  const now = Date.now();
  const kept = writes.filter((write) => isRetained(write, now) && write.key !== stamp?.key);
  if (stamp !== undefined) kept.push({ ...stamp, ...result, recordedAt: new Date(now).toISOString() });
  return kept.slice(-MAX_IDEMPOTENT_WRITES_PER_DOCUMENT);
}

function contentFileName(ref: string, version: string): string {
  return `${ref}.v${version}${CONTENT_SUFFIX}`;
}

/** `Meeting notes.odt` -> `meeting-notes-odt`; always matches REF_PATTERN after `doc-`. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100)
    .replace(/-+$/, '');
  const result = slug === '' ? 'file' : slug;
  if (!REF_PATTERN.test(`doc-${result}`)) throw new Error(`slug ${result} is not a valid ref`);
  return result;
}

async function syncDirectory(directory: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch (error) {
    // Some platforms cannot fsync a directory; Linux, where this matters, can.
    if (!['EISDIR', 'EINVAL', 'EPERM', 'EBADF'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}
