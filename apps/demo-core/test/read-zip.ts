import { crc32, inflateRawSync } from 'node:zlib';

export interface ReadZipEntry {
  name: string;
  method: number;
  flags: number;
  localHeaderOffset: number;
  data: Buffer;
}

// A deliberately independent reader for tests: walks the central directory from the end
// record, cross-checks each local header, inflates and verifies the CRC-32.
export function readZip(archive: Buffer): ReadZipEntry[] {
  const endOffset = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endOffset < 0) throw new Error('no end-of-central-directory record');
  const count = archive.readUInt16LE(endOffset + 10);
  const directorySize = archive.readUInt32LE(endOffset + 12);
  const directoryOffset = archive.readUInt32LE(endOffset + 16);
  if (directoryOffset + directorySize !== endOffset) throw new Error('central directory does not end at EOCD');

  const entries: ReadZipEntry[] = [];
  let cursor = directoryOffset;
  for (let i = 0; i < count; i += 1) {
    if (archive.readUInt32LE(cursor) !== 0x02014b50) throw new Error(`bad central header ${i}`);
    const flags = archive.readUInt16LE(cursor + 8);
    const method = archive.readUInt16LE(cursor + 10);
    const crc = archive.readUInt32LE(cursor + 16);
    const compressedSize = archive.readUInt32LE(cursor + 20);
    const size = archive.readUInt32LE(cursor + 24);
    const nameLength = archive.readUInt16LE(cursor + 28);
    const extraLength = archive.readUInt16LE(cursor + 30);
    const commentLength = archive.readUInt16LE(cursor + 32);
    const localHeaderOffset = archive.readUInt32LE(cursor + 42);
    const name = archive.toString('utf8', cursor + 46, cursor + 46 + nameLength);
    cursor += 46 + nameLength + extraLength + commentLength;

    if (archive.readUInt32LE(localHeaderOffset) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
    const localNameLength = archive.readUInt16LE(localHeaderOffset + 26);
    const localExtraLength = archive.readUInt16LE(localHeaderOffset + 28);
    const localName = archive.toString('utf8', localHeaderOffset + 30, localHeaderOffset + 30 + localNameLength);
    if (localName !== name) throw new Error(`local name ${localName} != central name ${name}`);
    if (archive.readUInt32LE(localHeaderOffset + 14) !== crc) throw new Error(`local CRC differs for ${name}`);
    const dataStart = localHeaderOffset + 30 + localNameLength + localExtraLength;
    const raw = archive.subarray(dataStart, dataStart + compressedSize);
    const data = method === 8 ? inflateRawSync(raw) : method === 0 ? Buffer.from(raw) : undefined;
    if (data === undefined) throw new Error(`unsupported method ${method} for ${name}`);
    if (data.length !== size) throw new Error(`size mismatch for ${name}`);
    if (crc32(data) !== crc) throw new Error(`CRC mismatch for ${name}`);
    entries.push({ name, method, flags, localHeaderOffset, data });
  }
  return entries;
}
