import { DemoCoreError, InvalidNameReason } from '../demo-core.error';

// 255: the longest name NTFS, ext4 and APFS take; users sync these files to their disks.
export const MAX_NAME_LENGTH = 255;

// Windows forbids these in names, and `/` would read as a folder anywhere; C0 controls and DEL
// cannot be typed and break headers and logs.
// eslint-disable-next-line no-control-regex
const INVALID_CHARACTER = /[\\/:*?"<>|\x00-\x1f\x7f]/;
// Device names Windows will not open as files, with or without an extension (CON.docx too).
const RESERVED_BASE_NAME = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/i;
// "Report (2).docx": the counter suggestFreeName adds, recognised so it is bumped, not stacked.
const NUMBERED = /^(.*) \((\d{1,6})\)$/;

/** Throws `invalid_name` (with the rule as details.reason) unless `name` may name a file. */
export function validateFileName(name: string): void {
  if (name.trim() === '') {
    throw DemoCoreError.invalidName(InvalidNameReason.Empty, 'the file name is empty');
  }
  if ([...name].length > MAX_NAME_LENGTH) {
    throw DemoCoreError.invalidName(
      InvalidNameReason.TooLong,
      `the file name is longer than ${MAX_NAME_LENGTH} characters`,
    );
  }
  if (INVALID_CHARACTER.test(name)) {
    throw DemoCoreError.invalidName(
      InvalidNameReason.InvalidCharacter,
      'the file name contains one of \\ / : * ? " < > | or a control character',
    );
  }
  if (name === '.' || name === '..' || RESERVED_BASE_NAME.test(splitExtension(name).base)) {
    throw DemoCoreError.invalidName(InvalidNameReason.ReservedName, `${JSON.stringify(name)} is a reserved name`);
  }
  // Windows silently drops a trailing dot or space, so the file would sync under another name.
  if (/[. ]$/.test(name) || /^ /.test(name)) {
    throw DemoCoreError.invalidName(
      InvalidNameReason.InvalidEnding,
      'the file name starts with a space or ends with a dot or a space',
    );
  }
}

/**
 * The key two names collide on. Case-insensitive and Unicode-normalised, as on Windows, macOS
 * and SharePoint: "Report.docx" and "report.DOCX" cannot sit in one synced folder.
 */
export function nameKey(name: string): string {
  return name.normalize('NFC').toLocaleLowerCase('en-US');
}

/** `Report.docx` -> `{ base: 'Report', extension: '.docx' }`; a leading dot is not an extension. */
export function splitExtension(name: string): { base: string; extension: string } {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return { base: name, extension: '' };
  return { base: name.slice(0, dot), extension: name.slice(dot) };
}

/**
 * The first of `Report (1).docx`, `Report (2).docx`, ... for which `taken` is false. Keeps the
 * extension, bumps an existing counter instead of stacking one, and stays within MAX_NAME_LENGTH.
 */
export function suggestFreeName(name: string, taken: (candidate: string) => boolean): string {
  const { base, extension } = splitExtension(name);
  const numbered = NUMBERED.exec(base);
  const stem = numbered ? numbered[1] : base;
  let counter = numbered ? Number(numbered[2]) + 1 : 1;
  for (;;) {
    const suffix = ` (${counter})${extension}`;
    const room = MAX_NAME_LENGTH - [...suffix].length;
    // Trim by code points so a surrogate pair is never cut in half, and never end on a space.
    const candidate = `${[...stem].slice(0, Math.max(room, 1)).join('').trimEnd()}${suffix}`;
    if (!taken(candidate)) return candidate;
    counter += 1;
  }
}
