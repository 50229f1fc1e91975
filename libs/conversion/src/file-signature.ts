import { open } from 'node:fs/promises';
import type { TargetFormat } from './document-formats';

/** The container a file's first bytes announce. */
export enum FileSignature {
  /** OLE2 compound file: Office 97-2003 .doc, .xls, .ppt. */
  Ole2 = 'ole2',
  /** ZIP local file header: OOXML and ODF packages. */
  Zip = 'zip',
  Pdf = 'pdf',
}

const MAGIC: Readonly<Record<FileSignature, Buffer>> = {
  [FileSignature.Ole2]: Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
  [FileSignature.Zip]: Buffer.from('PK\x03\x04', 'latin1'),
  [FileSignature.Pdf]: Buffer.from('%PDF-', 'latin1'),
};

const EXPECTED: Readonly<Record<TargetFormat, FileSignature>> = {
  docx: FileSignature.Zip,
  xlsx: FileSignature.Zip,
  pptx: FileSignature.Zip,
  pdf: FileSignature.Pdf,
};

const HEAD_BYTES = 8;
// The ZIP end-of-central-directory record is 22 bytes plus a comment of up to 64 KiB, and it is
// the last thing written: finding it shows the archive was finished, not cut short.
const ZIP_EOCD = Buffer.from('PK\x05\x06', 'latin1');
const ZIP_TAIL_BYTES = 22 + 0xffff;
// PDF 1.7 (ISO 32000-1) 7.5.5: the file ends with %%EOF; writers may add a line end or padding after it.
const PDF_EOF = Buffer.from('%%EOF', 'latin1');
const PDF_TAIL_BYTES = 1024;

/** The signature `head` starts with, or undefined. */
export function signatureOf(head: Buffer): FileSignature | undefined {
  return (Object.keys(MAGIC) as FileSignature[]).find((signature) =>
    head.subarray(0, MAGIC[signature].length).equals(MAGIC[signature]),
  );
}

/**
 * Why a converted file is not a usable `format` file (empty, wrong container, truncated), or
 * undefined when it is. `head` and `tail` are the file's first and last bytes.
 */
export function outputProblem(format: TargetFormat, sizeBytes: number, head: Buffer, tail: Buffer): string | undefined {
  if (sizeBytes === 0) return 'the converted file is empty';
  const found = signatureOf(head);
  const expected = EXPECTED[format];
  if (found !== expected) {
    return `the converted file is not a ${format} file (expected a ${expected} signature, found ${found ?? 'none'})`;
  }
  const end = expected === FileSignature.Zip ? ZIP_EOCD : PDF_EOF;
  if (!tail.includes(end)) return `the converted ${format} file is truncated (no ${expected} end marker)`;
  return undefined;
}

/** Reads just the first and last bytes of the file at `path` and checks it with `outputProblem`. */
export async function inspectOutputFile(
  path: string,
  format: TargetFormat,
): Promise<{ sizeBytes: number; problem: string | undefined }> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const head = Buffer.alloc(Math.min(HEAD_BYTES, size));
    await file.read(head, 0, head.length, 0);
    const tailLength = Math.min(EXPECTED[format] === FileSignature.Zip ? ZIP_TAIL_BYTES : PDF_TAIL_BYTES, size);
    const tail = Buffer.alloc(tailLength);
    await file.read(tail, 0, tailLength, size - tailLength);
    return { sizeBytes: size, problem: outputProblem(format, size, head, tail) };
  } finally {
    await file.close();
  }
}
