// File-name rules for names that reach the host through WOPI (PutRelativeFile, RenameFile). The
// gateway writes through to core apps of every kind, so it enforces the union of what Windows and
// SharePoint/OneDrive refuse: a name valid here is valid on any of them.

/**
 * 250: WOPI's default FileNameMaxLength, the longest base name (without extension) a client lets a
 * user type (CheckFileInfo.rst). Advertise this value, or the one passed to the helpers below.
 */
export const FILE_NAME_MAX_LENGTH = 250;

/** Windows (Naming Files, Paths, and Namespaces) and SharePoint/OneDrive refuse these anywhere in a name. */
const FORBIDDEN_CHARACTERS = ['\\', '/', ':', '*', '?', '"', '<', '>', '|'];
const FORBIDDEN_CHARACTER = /[\\/:*?"<>|]/;
// Unicode category Cc: C0 controls, DEL and C1 controls. Invisible, refused by Windows and by HTTP headers.
const CONTROL_CHARACTER = /\p{Cc}/u;
const UNPAIRED_SURROGATE = /\p{Cs}/u;
// Windows device names, also with any extension ("CON.txt"); superscript digits count too.
const RESERVED_DEVICE_NAME = /^(?:CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])$/i;
// SharePoint/OneDrive: "_vti_" anywhere, "~$" at the start (Office owner files), desktop.ini.
const SHAREPOINT_RESERVED_PART = '_vti_';
const OFFICE_OWNER_FILE_PREFIX = '~$';
const SHAREPOINT_RESERVED_NAME = 'desktop.ini';
// What toValidFileName() names a file whose name has nothing usable before the extension (".docx").
const FALLBACK_BASE_NAME = 'Document';

export interface FileNameOptions {
  /** Longest base name, without extension, in UTF-16 code units; defaults to FILE_NAME_MAX_LENGTH. */
  maxBaseNameLength?: number;
}

export interface SplitFileName {
  /** The name without its extension ('' for ".docx"). */
  baseName: string;
  /** The extension with its leading dot ('.docx'), or '' when the name has none. */
  extension: string;
}

/** Splits at the last dot, like .NET's Path.GetExtension: "a.b.docx" -> "a.b" + ".docx"; "a." has no extension. */
export function splitFileName(fileName: string): SplitFileName {
  const dot = fileName.lastIndexOf('.');
  if (dot === -1 || dot === fileName.length - 1) return { baseName: fileName, extension: '' };
  return { baseName: fileName.slice(0, dot), extension: fileName.slice(dot) };
}

/**
 * The name an X-WOPI-SuggestedTarget proposes: a value starting with '.' is only an extension, to be
 * combined with the current file's base name (PutRelativeFile.rst); anything else is a full name.
 * The result may still need toValidFileName() and a free name (numberedFileName()).
 */
export function suggestedTargetToName(currentFileName: string, suggestedTarget: string): string {
  if (!suggestedTarget.startsWith('.')) return suggestedTarget;
  return splitFileName(currentFileName).baseName + suggestedTarget;
}

/** The full name a RenameFile produces: X-WOPI-RequestedName excludes the extension, which is kept (RenameFile.rst). */
export function renamedFileName(currentFileName: string, requestedBaseName: string): string {
  return requestedBaseName + splitFileName(currentFileName).extension;
}

/**
 * Why a file name is not acceptable, in ASCII suitable for X-WOPI-InvalidFileNameError (the name
 * itself is never echoed: it may not be representable in a header), or undefined when it is valid.
 */
export function fileNameProblem(fileName: string, options: FileNameOptions = {}): string | undefined {
  const maxBaseNameLength = options.maxBaseNameLength ?? FILE_NAME_MAX_LENGTH;
  if (fileName.length === 0) return 'The file name is empty.';
  if (UNPAIRED_SURROGATE.test(fileName)) return 'The file name is not valid Unicode (unpaired surrogate).';
  const control = CONTROL_CHARACTER.exec(fileName);
  if (control) return `The file name contains the control character ${codePointLabel(control[0])}.`;
  const forbidden = FORBIDDEN_CHARACTER.exec(fileName);
  if (forbidden) {
    return `The file name contains '${forbidden[0]}'; none of ${FORBIDDEN_CHARACTERS.join(' ')} is allowed.`;
  }
  if (/^[ .]/.test(fileName)) return 'The file name starts with a space or a dot.';
  if (/[ .]$/.test(fileName)) return 'The file name ends with a space or a dot.';
  const device = deviceNamePart(fileName);
  if (RESERVED_DEVICE_NAME.test(device)) return `The file name uses the reserved device name ${device.toUpperCase()}.`;
  if (fileName.includes(SHAREPOINT_RESERVED_PART)) {
    return `The file name contains "${SHAREPOINT_RESERVED_PART}", reserved by SharePoint.`;
  }
  if (fileName.startsWith(OFFICE_OWNER_FILE_PREFIX)) {
    return `The file name starts with "${OFFICE_OWNER_FILE_PREFIX}", reserved for Office owner files.`;
  }
  if (fileName.toLowerCase() === SHAREPOINT_RESERVED_NAME) {
    return `The file name ${SHAREPOINT_RESERVED_NAME} is reserved.`;
  }
  const { baseName } = splitFileName(fileName);
  if (baseName.length > maxBaseNameLength) {
    return `The file name is longer than ${maxBaseNameLength} characters without its extension.`;
  }
  return undefined;
}

/** True when fileNameProblem() finds nothing wrong. */
export function isValidFileName(fileName: string, options: FileNameOptions = {}): boolean {
  return fileNameProblem(fileName, options) === undefined;
}

/**
 * A valid name as close to `fileName` as possible, keeping its extension: forbidden and control
 * characters become '-' (the replacement Microsoft recommends, native/issues/invalidcharacters.rst),
 * leading/trailing spaces and dots go, reserved names get a '_', a too long base name is cut, and an
 * empty one becomes "Document".
 * For X-WOPI-SuggestedTarget, which must never fail for an illegal name (PutRelativeFile.rst), and
 * for the X-WOPI-ValidRelativeTarget offered with a 400.
 */
export function toValidFileName(fileName: string, options: FileNameOptions = {}): string {
  const maxBaseNameLength = options.maxBaseNameLength ?? FILE_NAME_MAX_LENGTH;
  const cleaned = fileName
    .replace(new RegExp(UNPAIRED_SURROGATE.source, 'gu'), '-')
    .replace(new RegExp(CONTROL_CHARACTER.source, 'gu'), '-')
    .replace(new RegExp(FORBIDDEN_CHARACTER.source, 'g'), '-')
    .replaceAll(SHAREPOINT_RESERVED_PART, '_vti-');
  const split = splitFileName(cleaned);
  const extension = split.extension.replace(/[ .]+$/, '');
  let baseName = trimBaseName(split.baseName);
  if (baseName.startsWith(OFFICE_OWNER_FILE_PREFIX)) baseName = `~-${baseName.slice(OFFICE_OWNER_FILE_PREFIX.length)}`;
  if (
    RESERVED_DEVICE_NAME.test(deviceNamePart(baseName)) ||
    `${baseName}${extension}`.toLowerCase() === SHAREPOINT_RESERVED_NAME
  ) {
    // "CON.tar" -> "CON_.tar": the part before the first dot is what Windows compares.
    const dot = baseName.indexOf('.');
    baseName = dot === -1 ? `${baseName}_` : `${baseName.slice(0, dot)}_${baseName.slice(dot)}`;
  }
  baseName = trimBaseName(truncate(baseName, maxBaseNameLength));
  return (baseName.length === 0 ? FALLBACK_BASE_NAME : baseName) + extension;
}

/**
 * The n-th alternative of a name, "Report (2).docx", for finding a free name when the requested one
 * exists (suggested-mode PutRelativeFile, RenameFile). The base name is shortened to stay within the limit.
 */
export function numberedFileName(fileName: string, number: number, options: FileNameOptions = {}): string {
  const maxBaseNameLength = options.maxBaseNameLength ?? FILE_NAME_MAX_LENGTH;
  const { baseName, extension } = splitFileName(fileName);
  const suffix = ` (${number})`;
  return `${trimBaseName(truncate(baseName, maxBaseNameLength - suffix.length))}${suffix}${extension}`;
}

/** The part Windows compares with device names: up to the first dot, trailing spaces ignored. */
function deviceNamePart(fileName: string): string {
  const dot = fileName.indexOf('.');
  return (dot === -1 ? fileName : fileName.slice(0, dot)).trimEnd();
}

function trimBaseName(baseName: string): string {
  return baseName.replace(/^[ .]+/, '').replace(/[ .]+$/, '');
}

/** Cuts to at most `maxLength` UTF-16 code units without splitting a surrogate pair. */
function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const cut = text.slice(0, Math.max(0, maxLength));
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

function codePointLabel(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}
