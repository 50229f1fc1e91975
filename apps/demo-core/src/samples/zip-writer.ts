import { crc32, deflateRawSync } from 'node:zlib';

// ZIP (APPNOTE.TXT 6.3.x) constants. Only what the sample documents need: no ZIP64, no
// encryption, no data descriptors. The archives are small and built in memory at start-up.
const LOCAL_FILE_HEADER_SIGNATURE = 0x04034b50;
const CENTRAL_DIRECTORY_SIGNATURE = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY_SIGNATURE = 0x06054b50;
const LOCAL_FILE_HEADER_BYTES = 30;
const CENTRAL_DIRECTORY_HEADER_BYTES = 46;
const END_OF_CENTRAL_DIRECTORY_BYTES = 22;
const METHOD_STORE = 0;
const METHOD_DEFLATE = 8;
// "Version needed to extract": 1.0 for stored entries, 2.0 for deflate (APPNOTE 4.4.3.2).
const VERSION_STORE = 10;
const VERSION_DEFLATE = 20;
// "Version made by": high byte 3 = Unix, so the external attributes below carry a file mode.
const VERSION_MADE_BY_UNIX = (3 << 8) | VERSION_DEFLATE;
const UNIX_REGULAR_FILE_0644 = (0o100644 << 16) >>> 0;
// General-purpose flag bit 11: the file name is UTF-8 (APPNOTE appendix D).
const FLAG_UTF8_NAME = 0x0800;
// Without ZIP64 every size and offset must fit in 32 bits and the entry count in 16.
const MAX_UINT32 = 0xffffffff;
const MAX_UINT16 = 0xffff;

export interface ZipEntry {
  /** Path inside the archive, '/'-separated, no leading slash. */
  readonly name: string;
  readonly data: Buffer | string;
  /** Store uncompressed, e.g. the ODF `mimetype` entry, which readers find at a fixed offset. */
  readonly store?: boolean;
}

export interface ZipOptions {
  /** Timestamp written for every entry; fixed by callers that want byte-identical archives. */
  readonly modifiedAt?: Date;
}

/** Builds a ZIP archive in memory; entries keep the given order (ODF needs `mimetype` first). */
export function createZip(entries: readonly ZipEntry[], options: ZipOptions = {}): Buffer {
  if (entries.length > MAX_UINT16) {
    throw new RangeError(`a ZIP without ZIP64 holds at most ${MAX_UINT16} entries`);
  }
  const { time, date } = toDosDateTime(options.modifiedAt ?? new Date());
  const seen = new Set<string>();
  const localParts: Buffer[] = [];
  const centralParts: Buffer[] = [];
  let offset = 0;

  for (const entry of entries) {
    assertValidName(entry.name, seen);
    const name = Buffer.from(entry.name, 'utf8');
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data;
    const deflated = entry.store ? undefined : deflateRawSync(data);
    // Deflate can grow incompressible data; storing it is then smaller and equally valid.
    const useDeflate = deflated !== undefined && deflated.length < data.length;
    const payload = useDeflate ? deflated : data;
    const method = useDeflate ? METHOD_DEFLATE : METHOD_STORE;
    const versionNeeded = useDeflate ? VERSION_DEFLATE : VERSION_STORE;
    const flags = /^[\x20-\x7e]*$/.test(entry.name) ? 0 : FLAG_UTF8_NAME;
    const checksum = crc32(data);
    if (data.length > MAX_UINT32 || payload.length > MAX_UINT32 || offset > MAX_UINT32) {
      throw new RangeError(`entry ${entry.name} does not fit in a ZIP without ZIP64`);
    }

    const local = Buffer.alloc(LOCAL_FILE_HEADER_BYTES);
    local.writeUInt32LE(LOCAL_FILE_HEADER_SIGNATURE, 0);
    local.writeUInt16LE(versionNeeded, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(checksum, 14);
    local.writeUInt32LE(payload.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28); // no extra field: ODF readers expect `mimetype` content at byte 38
    localParts.push(local, name, payload);

    const central = Buffer.alloc(CENTRAL_DIRECTORY_HEADER_BYTES);
    central.writeUInt32LE(CENTRAL_DIRECTORY_SIGNATURE, 0);
    central.writeUInt16LE(VERSION_MADE_BY_UNIX, 4);
    central.writeUInt16LE(versionNeeded, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(date, 14);
    central.writeUInt32LE(checksum, 16);
    central.writeUInt32LE(payload.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(0, 30); // extra field length
    central.writeUInt16LE(0, 32); // comment length
    central.writeUInt16LE(0, 34); // disk number start
    central.writeUInt16LE(0, 36); // internal attributes
    central.writeUInt32LE(UNIX_REGULAR_FILE_0644, 38);
    central.writeUInt32LE(offset, 42);
    centralParts.push(central, name);

    offset += local.length + name.length + payload.length;
  }

  const centralDirectory = Buffer.concat(centralParts);
  if (offset > MAX_UINT32 || centralDirectory.length > MAX_UINT32) {
    throw new RangeError('archive does not fit in a ZIP without ZIP64');
  }
  const end = Buffer.alloc(END_OF_CENTRAL_DIRECTORY_BYTES);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY_SIGNATURE, 0);
  end.writeUInt16LE(0, 4); // number of this disk
  end.writeUInt16LE(0, 6); // disk where the central directory starts
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralDirectory.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(0, 20); // comment length
  return Buffer.concat([...localParts, centralDirectory, end]);
}

function assertValidName(name: string, seen: Set<string>): void {
  // Reject what extractors would write outside their target or treat ambiguously.
  if (
    name.length === 0 ||
    name.startsWith('/') ||
    name.includes('\\') ||
    name.split('/').some((segment) => segment === '..' || segment === '.')
  ) {
    throw new Error(`invalid ZIP entry name: ${JSON.stringify(name)}`);
  }
  if (Buffer.byteLength(name, 'utf8') > MAX_UINT16) {
    throw new RangeError(`ZIP entry name too long: ${name.slice(0, 40)}...`);
  }
  if (seen.has(name)) {
    throw new Error(`duplicate ZIP entry name: ${name}`);
  }
  seen.add(name);
}

// MS-DOS date/time (APPNOTE 4.4.6): local wall-clock fields with 2-second resolution and no
// zone. UTC fields are used so the same Date yields the same bytes on every machine.
function toDosDateTime(at: Date): { time: number; date: number } {
  const year = Math.min(Math.max(at.getUTCFullYear(), 1980), 2107);
  const time = (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | Math.floor(at.getUTCSeconds() / 2);
  const date = ((year - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate();
  return { time, date };
}
