import { putContentFingerprint } from './idempotency';

/**
 * A write that carried an Idempotency-Key, kept in the record of the document it changed (or
 * created) so that a retry gets the same answer. Stored in the same atomic record write as the
 * change itself: a crash can never leave a change without its key, or a key without its change.
 */
export interface IdempotentWrite {
  readonly key: string;
  /** See requestFingerprint: tells a retry from a different request reusing the key. */
  readonly fingerprint: string;
  /** The status of the first answer: 200 replaced content, 201 created a file. */
  readonly status: 200 | 201;
  readonly version: string;
  readonly size: number;
  readonly sha256: string;
  readonly lastModifiedTime: string;
  /** ISO 8601; entries older than IDEMPOTENCY_RETENTION_MS are dropped. */
  readonly recordedAt: string;
}

/** What demo-core knows about one document; persisted as `<ref>.json` beside its content. */
export interface DocumentRecord {
  /** Stable, opaque, URL-safe; never derived from the current name, which can change. */
  readonly ref: string;
  readonly name: string;
  readonly ownerId: string;
  /** Monotonic integer as a decimal string, starting at "1"; bumped by content changes only. */
  readonly version: string;
  readonly size: number;
  readonly sha256: string;
  /** ISO 8601, UTC, with milliseconds: when the content last changed. */
  readonly lastModifiedTime: string;
  /** File name (not path) of the current content inside the documents directory. */
  readonly contentFile: string;
  /** Newest last. */
  readonly idempotentWrites: readonly IdempotentWrite[];
}

/** Bumped when the persisted shape changes incompatibly, so an old data dir fails loudly. */
export const RECORD_FORMAT = 2;

export const REF_PATTERN = /^[a-z0-9][a-z0-9-]{0,127}$/;

/** Parses a persisted record (format 1 or 2), naming the file and field when it is not what we wrote. */
export function parseDocumentRecord(json: string, source: string): DocumentRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new Error(`${source}: not valid JSON (${(error as Error).message})`);
  }
  const read = fieldReader(source);
  const raw = read.object(parsed, '(root)');
  if (raw.format !== RECORD_FORMAT && raw.format !== 1) read.fail('format');

  const ref = read.text(raw, 'ref');
  if (!REF_PATTERN.test(ref)) read.fail('ref');
  const contentFile = read.text(raw, 'contentFile');
  // The record names a file inside the documents directory, never a path out of it.
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(contentFile) || contentFile.includes('..')) read.fail('contentFile');

  const idempotentWrites = raw.format === 1 ? readFormat1Write(raw, ref, read) : readWrites(raw, read);
  return {
    ref,
    name: read.text(raw, 'name'),
    ownerId: read.text(raw, 'ownerId'),
    version: read.version(raw, 'version'),
    size: read.count(raw, 'size'),
    sha256: read.text(raw, 'sha256'),
    lastModifiedTime: read.text(raw, 'lastModifiedTime'),
    contentFile,
    idempotentWrites,
  };
}

export function serializeDocumentRecord(record: DocumentRecord): string {
  return `${JSON.stringify({ format: RECORD_FORMAT, ...record }, null, 2)}\n`;
}

type Fields = Record<string, unknown>;
type FieldReader = ReturnType<typeof fieldReader>;

function readWrites(raw: Fields, read: FieldReader): IdempotentWrite[] {
  const list = raw.idempotentWrites;
  if (!Array.isArray(list)) return read.fail('idempotentWrites');
  return list.map((item, index) => {
    const write = read.object(item, `idempotentWrites[${index}]`);
    const status = write.status;
    if (status !== 200 && status !== 201) return read.fail(`idempotentWrites[${index}].status`);
    return {
      key: read.text(write, 'key'),
      fingerprint: read.text(write, 'fingerprint'),
      status,
      version: read.version(write, 'version'),
      size: read.count(write, 'size'),
      sha256: read.text(write, 'sha256'),
      lastModifiedTime: read.text(write, 'lastModifiedTime'),
      recordedAt: read.text(write, 'recordedAt'),
    };
  });
}

/**
 * Format 1 remembered only the last keyed content write, as `lastIdempotentWrite` with the user
 * and body digest; it becomes the one entry of the list, so a retry still replays after an upgrade.
 */
function readFormat1Write(raw: Fields, ref: string, read: FieldReader): IdempotentWrite[] {
  if (raw.lastIdempotentWrite === null) return [];
  const write = read.object(raw.lastIdempotentWrite, 'lastIdempotentWrite');
  const lastModifiedTime = read.text(write, 'lastModifiedTime');
  const sha256 = read.text(write, 'sha256');
  return [
    {
      key: read.text(write, 'key'),
      fingerprint: putContentFingerprint(ref, read.text(write, 'userId'), sha256),
      status: 200,
      version: read.version(write, 'version'),
      size: read.count(write, 'size'),
      sha256,
      lastModifiedTime,
      recordedAt: lastModifiedTime,
    },
  ];
}

function fieldReader(source: string) {
  const fail = (field: string): never => {
    throw new Error(`${source}: missing or invalid field "${field}"`);
  };
  const text = (fields: Fields, field: string): string => {
    const value = fields[field];
    return typeof value === 'string' && value !== '' ? value : fail(field);
  };
  return {
    fail,
    text,
    object: (value: unknown, field: string): Fields =>
      typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : fail(field),
    count: (fields: Fields, field: string): number => {
      const value = fields[field];
      return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : fail(field);
    },
    version: (fields: Fields, field: string): string => {
      const value = text(fields, field);
      return /^[1-9]\d*$/.test(value) ? value : fail(field);
    },
  };
}
