/** The editor family of a file, by extension: drives the host page's favicon and title. */
export interface DocumentKind {
  label: string;
  /** Brand-neutral colour of the favicon (one per editor family, like Office's own icons). */
  colour: string;
  letter: string;
}

const KINDS: Record<string, DocumentKind> = {
  word: { label: 'Document', colour: '#2b579a', letter: 'W' },
  excel: { label: 'Workbook', colour: '#217346', letter: 'X' },
  powerpoint: { label: 'Presentation', colour: '#b7472a', letter: 'P' },
  other: { label: 'File', colour: '#5f6368', letter: 'F' },
};

const BY_EXTENSION: Record<string, keyof typeof KINDS> = {
  doc: 'word',
  docx: 'word',
  docm: 'word',
  dot: 'word',
  dotx: 'word',
  odt: 'word',
  rtf: 'word',
  txt: 'word',
  xls: 'excel',
  xlsx: 'excel',
  xlsm: 'excel',
  xlsb: 'excel',
  ods: 'excel',
  csv: 'excel',
  ppt: 'powerpoint',
  pptx: 'powerpoint',
  pptm: 'powerpoint',
  pps: 'powerpoint',
  ppsx: 'powerpoint',
  odp: 'powerpoint',
};

export function documentKindOf(fileName: string): DocumentKind {
  const extension = /\.([^.]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? '';
  return KINDS[BY_EXTENSION[extension] ?? 'other'];
}

/** A small SVG favicon as a data URL, so the page needs no static asset route. */
export function faviconDataUrl(kind: DocumentKind): string {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="${kind.colour}"/><text x="16" y="23" font-family="Arial,sans-serif" font-size="20" font-weight="bold" fill="#fff" text-anchor="middle">${kind.letter}</text></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}
