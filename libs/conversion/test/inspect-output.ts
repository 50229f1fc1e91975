import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { crc32, inflateRawSync } from 'node:zlib';

const run = promisify(execFile);
const END_OF_CENTRAL_DIRECTORY = Buffer.from('PK\x05\x06', 'latin1');

/**
 * The text of one part of an OOXML package (e.g. `word/document.xml`); throws when it is missing
 * or damaged. Sizes and CRCs come from the central directory: LibreOffice streams its packages
 * with data descriptors, so the local headers carry zeros there (APPNOTE 4.4.4, bit 3).
 */
export function ooxmlPartText(archive: Buffer, part: string): string {
  const end = archive.lastIndexOf(END_OF_CENTRAL_DIRECTORY);
  if (end < 0) throw new Error('not a ZIP archive: no end-of-central-directory record');
  const count = archive.readUInt16LE(end + 10);
  let cursor = archive.readUInt32LE(end + 16);
  for (let i = 0; i < count; i += 1) {
    const method = archive.readUInt16LE(cursor + 10);
    const crc = archive.readUInt32LE(cursor + 16);
    const compressedSize = archive.readUInt32LE(cursor + 20);
    const nameLength = archive.readUInt16LE(cursor + 28);
    const entryHeaderLength = 46 + nameLength + archive.readUInt16LE(cursor + 30) + archive.readUInt16LE(cursor + 32);
    const localOffset = archive.readUInt32LE(cursor + 42);
    if (archive.toString('utf8', cursor + 46, cursor + 46 + nameLength) === part) {
      const start = localOffset + 30 + archive.readUInt16LE(localOffset + 26) + archive.readUInt16LE(localOffset + 28);
      const raw = archive.subarray(start, start + compressedSize);
      const data = method === 8 ? inflateRawSync(raw) : raw;
      if (crc32(data) !== crc) throw new Error(`CRC mismatch in ${part}`);
      return data.toString('utf8');
    }
    cursor += entryHeaderLength;
  }
  throw new Error(`the package has no ${part}`);
}

/**
 * The document title in a PDF's Info dictionary (the one the trailer names; outline entries
 * have titles too). LibreOffice writes it uncompressed, as a UTF-16BE hex string with a
 * byte-order mark (`/Title<FEFF0057...>`) or as a literal string.
 */
export function pdfTitle(bytes: Buffer): string | undefined {
  const text = bytes.toString('latin1');
  const info = /\/Info\s+(\d+)\s+0\s+R/.exec(text.slice(text.lastIndexOf('trailer')));
  if (!info) return undefined;
  const start = text.search(new RegExp(`(^|\\s)${info[1]}\\s+0\\s+obj\\b`));
  const object = start < 0 ? '' : text.slice(start, text.indexOf('endobj', start));
  const hex = /\/Title\s*<FEFF([0-9A-Fa-f]*)>/.exec(object);
  if (hex) return Buffer.from(hex[1], 'hex').swap16().toString('utf16le');
  return /\/Title\s*\(([^)]*)\)/.exec(object)?.[1];
}

/**
 * The PDF's page text from poppler's pdftotext, or undefined where it is not installed (the
 * tests install only LibreOffice; they fall back to the title then).
 */
export async function pdfText(file: string): Promise<string | undefined> {
  try {
    return (await run('pdftotext', ['-layout', file, '-'])).stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** PIDs of live processes whose command line contains `text` (e.g. a conversion's temp folder). */
export async function processesMentioning(text: string): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const found: number[] = [];
  for (const pid of pids) {
    if (pid === process.pid) continue;
    // A zombie's command line is empty, and a vanished process has none: neither runs anything.
    const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (commandLine.split('\0').join(' ').includes(text)) found.push(pid);
  }
  return found;
}
