import { inflateRawSync } from 'node:zlib';

// ZIP (APPNOTE.TXT 6.3.x), read side: what OOXML and ODF packages use. No ZIP64, no encryption.
const END_OF_CENTRAL_DIRECTORY_SIGNATURE = 0x06054b50;
const CENTRAL_DIRECTORY_SIGNATURE = 0x02014b50;
const LOCAL_FILE_HEADER_SIGNATURE = 0x04034b50;
const END_OF_CENTRAL_DIRECTORY_BYTES = 22;
const MAX_COMMENT_BYTES = 0xffff;
const METHOD_STORE = 0;
const METHOD_DEFLATE = 8;

export interface ZipReadEntry {
  name: string;
  data: Buffer;
  /** Stored uncompressed in the archive (the ODF `mimetype` entry must stay so). */
  stored: boolean;
}

/** The document is not a ZIP package this reader can open. */
export class UnreadableZipError extends Error {
  constructor(reason: string) {
    super(`not a readable ZIP package: ${reason}`);
    this.name = 'UnreadableZipError';
  }
}

/** Every entry of a ZIP archive, in central-directory order (the order a rewrite keeps). */
export function readZip(archive: Buffer): ZipReadEntry[] {
  const end = findEndOfCentralDirectory(archive);
  const count = archive.readUInt16LE(end + 10);
  let offset = archive.readUInt32LE(end + 16);
  if (offset === 0xffffffff || count === 0xffff) throw new UnreadableZipError('ZIP64 is not supported');
  const entries: ZipReadEntry[] = [];
  for (let index = 0; index < count; index += 1) {
    if (offset + 46 > archive.length || archive.readUInt32LE(offset) !== CENTRAL_DIRECTORY_SIGNATURE) {
      throw new UnreadableZipError('broken central directory');
    }
    const flags = archive.readUInt16LE(offset + 8);
    const method = archive.readUInt16LE(offset + 10);
    const compressedSize = archive.readUInt32LE(offset + 20);
    const nameLength = archive.readUInt16LE(offset + 28);
    const extraLength = archive.readUInt16LE(offset + 30);
    const commentLength = archive.readUInt16LE(offset + 32);
    const localOffset = archive.readUInt32LE(offset + 42);
    const name = archive.toString(flags & 0x0800 ? 'utf8' : 'latin1', offset + 46, offset + 46 + nameLength);
    if (flags & 0x0001) throw new UnreadableZipError(`${name} is encrypted`);
    entries.push({ name, data: entryData(archive, localOffset, method, compressedSize, name), stored: method === 0 });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function findEndOfCentralDirectory(archive: Buffer): number {
  const earliest = Math.max(0, archive.length - END_OF_CENTRAL_DIRECTORY_BYTES - MAX_COMMENT_BYTES);
  for (let offset = archive.length - END_OF_CENTRAL_DIRECTORY_BYTES; offset >= earliest; offset -= 1) {
    if (archive.readUInt32LE(offset) === END_OF_CENTRAL_DIRECTORY_SIGNATURE) return offset;
  }
  throw new UnreadableZipError('no end of central directory');
}

function entryData(archive: Buffer, localOffset: number, method: number, size: number, name: string): Buffer {
  if (localOffset + 30 > archive.length || archive.readUInt32LE(localOffset) !== LOCAL_FILE_HEADER_SIGNATURE) {
    throw new UnreadableZipError(`broken local header of ${name}`);
  }
  // The local header's own name and extra lengths: they may differ from the central directory's.
  const start = localOffset + 30 + archive.readUInt16LE(localOffset + 26) + archive.readUInt16LE(localOffset + 28);
  const raw = archive.subarray(start, start + size);
  if (raw.length !== size) throw new UnreadableZipError(`${name} is cut off`);
  if (method === METHOD_STORE) return Buffer.from(raw);
  if (method === METHOD_DEFLATE) return inflateRawSync(raw);
  throw new UnreadableZipError(`${name} uses compression method ${method}`);
}
