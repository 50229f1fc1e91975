import path from 'node:path';
import { createZip } from '../../../demo-core/src/samples/zip-writer';
import {
  attributeOf,
  escapeXmlText,
  type RunParagraphs,
  runParagraphText,
  unescapeXmlText,
  withRunParagraphText,
} from './xml-text';
import { readZip, type ZipReadEntry } from './zip-reader';

/** The file types the demo editor opens: word processing, spreadsheet, presentation, plain text. */
export const DOCUMENT_FORMATS = ['docx', 'odt', 'xlsx', 'pptx', 'txt'] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

/** One piece of a document's text the editor shows: a paragraph, a cell, a slide's paragraph. */
export interface TextField {
  /** Stable while the document's structure does not change: the key of an edit. */
  id: string;
  /** Where it is, for people: "Paragraph 3 (Heading1)", "Budget!B2", "Slide 1, paragraph 2". */
  label: string;
  text: string;
  /** False for what the editor shows but cannot change (spreadsheet formulas). */
  editable: boolean;
  /** A line break in the text makes new paragraphs (word processing, slides) or is kept (plain text). */
  multiline: boolean;
}

/** The document cannot be shown or rewritten by this editor (the page says why; nothing is saved). */
export class UnsupportedDocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedDocumentError';
  }
}

export function formatOf(fileName: string): DocumentFormat | undefined {
  const extension = path.extname(fileName).slice(1).toLowerCase();
  return (DOCUMENT_FORMATS as readonly string[]).includes(extension) ? (extension as DocumentFormat) : undefined;
}

/** The text fields of a document of the given format. */
export function readDocumentText(format: DocumentFormat, bytes: Buffer): TextField[] {
  if (format === 'txt')
    return [{ id: 'text', label: 'Text', text: decodeText(bytes), editable: true, multiline: true }];
  return packageFormat(format).read(new PackageParts(bytes));
}

/**
 * The same document with the changed fields' new text: a valid file of the same format. Fields not
 * named keep their bytes; parts without changes are copied as they were.
 */
export function writeDocumentText(format: DocumentFormat, bytes: Buffer, changes: ReadonlyMap<string, string>): Buffer {
  if (format === 'txt') {
    const text = changes.get('text');
    if (text === undefined) return bytes;
    const bom = bytes.subarray(0, 3).equals(UTF8_BOM) ? UTF8_BOM : Buffer.alloc(0);
    return Buffer.concat([bom, Buffer.from(text, 'utf8')]);
  }
  const parts = new PackageParts(bytes);
  const known = new Set(
    packageFormat(format)
      .read(parts)
      .map((field) => field.id),
  );
  const unknown = [...changes.keys()].filter((id) => !known.has(id));
  if (unknown.length > 0) throw new UnsupportedDocumentError(`no such text in the document: ${unknown.join(', ')}`);
  packageFormat(format).write(parts, changes);
  return parts.toZip();
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function decodeText(bytes: Buffer): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  return text.startsWith('\ufeff') ? text.slice(1) : text;
}

/** The parts of an OPC or ODF package, as text where they are changed, in their original order. */
class PackageParts {
  private readonly entries: ZipReadEntry[];
  private readonly changed = new Map<string, string>();

  constructor(bytes: Buffer) {
    try {
      this.entries = readZip(bytes);
    } catch (error) {
      throw new UnsupportedDocumentError((error as Error).message);
    }
  }

  has(name: string): boolean {
    return this.changed.has(name) || this.entries.some((entry) => entry.name === name);
  }

  text(name: string): string {
    const changed = this.changed.get(name);
    if (changed !== undefined) return changed;
    const entry = this.entries.find((candidate) => candidate.name === name);
    if (!entry) throw new UnsupportedDocumentError(`the package has no ${name}`);
    return entry.data.toString('utf8');
  }

  names(): string[] {
    return this.entries.map((entry) => entry.name);
  }

  set(name: string, xml: string): void {
    this.changed.set(name, xml);
  }

  toZip(): Buffer {
    return createZip(
      this.entries.map((entry) => ({
        name: entry.name,
        data: this.changed.has(entry.name) ? Buffer.from(this.changed.get(entry.name)!, 'utf8') : entry.data,
        store: entry.stored,
      })),
    );
  }
}

interface PackageFormat {
  read(parts: PackageParts): TextField[];
  write(parts: PackageParts, changes: ReadonlyMap<string, string>): void;
}

function packageFormat(format: Exclude<DocumentFormat, 'txt'>): PackageFormat {
  switch (format) {
    case 'docx':
      return WORD;
    case 'pptx':
      return SLIDES;
    case 'odt':
      return ODF_TEXT;
    case 'xlsx':
      return SPREADSHEET;
  }
}

// ---------------------------------------------------------------- paragraphs (docx, pptx, odt)

const WORDPROCESSING: RunParagraphs = {
  paragraph: /<w:p\b(?:\s[^>]*)?(?:\/>|>[\s\S]*?<\/w:p>)/g,
  textElement: /<w:t(?:\s[^>]*)?(?:\/>|>[^<]*<\/w:t>)/g,
  textElementOf: (escaped) => `<w:t xml:space="preserve">${escaped}</w:t>`,
  runOf: (escaped) => `<w:r><w:t xml:space="preserve">${escaped}</w:t></w:r>`,
  closingTag: '</w:p>',
};

const DRAWING: RunParagraphs = {
  paragraph: /<a:p\b(?:\s[^>]*)?(?:\/>|>[\s\S]*?<\/a:p>)/g,
  textElement: /<a:t(?:\s[^>]*)?(?:\/>|>[^<]*<\/a:t>)/g,
  textElementOf: (escaped) => `<a:t>${escaped}</a:t>`,
  runOf: (escaped) => `<a:r><a:t>${escaped}</a:t></a:r>`,
  runsEndBefore: /<a:endParaRPr\b/,
  closingTag: '</a:p>',
};

/** A paragraph-based part: fields are its paragraphs; a field with line breaks becomes several paragraphs. */
function paragraphFields(
  xml: string,
  pattern: RegExp,
  textOf: (paragraph: string) => string,
  field: (paragraph: string, index: number) => { id: string; label: string },
): TextField[] {
  return [...xml.matchAll(pattern)].map((match, index) => ({
    ...field(match[0], index),
    text: textOf(match[0]),
    editable: true,
    multiline: true,
  }));
}

function rewriteParagraphs(
  xml: string,
  pattern: RegExp,
  changeOf: (index: number) => string | undefined,
  withText: (paragraph: string, text: string) => string,
): string {
  let index = -1;
  return xml.replace(pattern, (paragraph) => {
    index += 1;
    const text = changeOf(index);
    if (text === undefined) return paragraph;
    return text
      .split(/\r\n|\r|\n/)
      .map((line, lineIndex) => withText(lineIndex === 0 ? paragraph : withoutUniqueIds(paragraph), line))
      .join('');
  });
}

/** A copied paragraph must not repeat Word's paragraph ids (w14:paraId, w14:textId must be unique). */
function withoutUniqueIds(paragraph: string): string {
  return paragraph.replace(/^<[^>]*>/, (tag) => tag.replace(/\s(?:w14:paraId|w14:textId)="[^"]*"/g, ''));
}

const WORD: PackageFormat = {
  read(parts) {
    return paragraphFields(
      parts.text('word/document.xml'),
      WORDPROCESSING.paragraph,
      (paragraph) => runParagraphText(paragraph, WORDPROCESSING),
      (paragraph, index) => {
        const style = /<w:pStyle\s+w:val="([^"]*)"/.exec(paragraph)?.[1];
        return { id: `p${index}`, label: `Paragraph ${index + 1}${style ? ` (${unescapeXmlText(style)})` : ''}` };
      },
    );
  },
  write(parts, changes) {
    const xml = parts.text('word/document.xml');
    parts.set(
      'word/document.xml',
      rewriteParagraphs(
        xml,
        WORDPROCESSING.paragraph,
        (index) => changes.get(`p${index}`),
        (paragraph, text) => withRunParagraphText(paragraph, text, WORDPROCESSING),
      ),
    );
  },
};

function slideParts(parts: PackageParts): string[] {
  const number = (name: string) => Number(/(\d+)\.xml$/.exec(name)?.[1] ?? 0);
  return parts
    .names()
    .filter((name) => /^ppt\/slides\/slide\d+\.xml$/.test(name))
    .sort((a, b) => number(a) - number(b));
}

const SLIDES: PackageFormat = {
  read(parts) {
    return slideParts(parts).flatMap((part, slideIndex) =>
      paragraphFields(
        parts.text(part),
        DRAWING.paragraph,
        (paragraph) => runParagraphText(paragraph, DRAWING),
        (_, index) => ({
          id: `${path.posix.basename(part, '.xml')}.p${index}`,
          label: `Slide ${slideIndex + 1}, paragraph ${index + 1}`,
        }),
      ),
    );
  },
  write(parts, changes) {
    for (const part of slideParts(parts)) {
      const slide = path.posix.basename(part, '.xml');
      if (![...changes.keys()].some((id) => id.startsWith(`${slide}.`))) continue;
      parts.set(
        part,
        rewriteParagraphs(
          parts.text(part),
          DRAWING.paragraph,
          (index) => changes.get(`${slide}.p${index}`),
          (paragraph, text) => withRunParagraphText(paragraph, text, DRAWING),
        ),
      );
    }
  },
};

// ODF text: paragraphs and headings hold mixed content (spans, links, spaces as <text:s/>).
const ODF_PARAGRAPH = /<text:(p|h)\b(?:\s[^>]*)?(?:\/>|>[\s\S]*?<\/text:\1>)/g;

function odfParagraphText(paragraph: string): string {
  const inner = /^<[^>]*[^/]>([\s\S]*)<\/text:[ph]>$/.exec(paragraph)?.[1] ?? '';
  return unescapeXmlText(
    inner
      .replace(/<text:s(?:\s+text:c="(\d+)")?\s*\/>/g, (_, count?: string) => ' '.repeat(Number(count ?? 1)))
      .replace(/<text:tab\s*\/>/g, '\t')
      .replace(/<text:line-break\s*\/>/g, ' ')
      .replace(/<[^>]+>/g, ''),
  );
}

function withOdfParagraphText(paragraph: string, text: string): string {
  const open = /^<([^>]*?)\s*\/?>/.exec(paragraph)![1]!;
  const name = open.split(/\s/)[0]!;
  // Runs of spaces are one space in ODF unless written as <text:s text:c="n"/>.
  const escaped = escapeXmlText(text)
    .replace(/ {2,}/g, (spaces) => ` <text:s text:c="${spaces.length - 1}"/>`)
    .replace(/\t/g, '<text:tab/>');
  return `<${open}>${escaped}</${name}>`;
}

const ODF_TEXT: PackageFormat = {
  read(parts) {
    return paragraphFields(parts.text('content.xml'), ODF_PARAGRAPH, odfParagraphText, (paragraph, index) => ({
      id: `p${index}`,
      label: `${paragraph.startsWith('<text:h') ? 'Heading' : 'Paragraph'} ${index + 1}`,
    }));
  },
  write(parts, changes) {
    parts.set(
      'content.xml',
      rewriteParagraphs(
        parts.text('content.xml'),
        ODF_PARAGRAPH,
        (index) => changes.get(`p${index}`),
        withOdfParagraphText,
      ),
    );
  },
};

// ---------------------------------------------------------------- spreadsheets (xlsx)

const CELL = /<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g;
const SHARED_STRING = /<si\b[^>]*>([\s\S]*?)<\/si>|<si\s*\/>/g;
const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

interface Sheet {
  name: string;
  part: string;
}

function sheetsOf(parts: PackageParts): Sheet[] {
  const workbook = parts.text('xl/workbook.xml');
  const relationships = parts.has('xl/_rels/workbook.xml.rels') ? parts.text('xl/_rels/workbook.xml.rels') : '';
  const targets = new Map<string, string>();
  for (const match of relationships.matchAll(/<Relationship\b[^>]*>/g)) {
    const id = attributeOf(match[0], 'Id');
    const target = attributeOf(match[0], 'Target');
    if (id && target) targets.set(id, target.startsWith('/') ? target.slice(1) : path.posix.join('xl', target));
  }
  return [...workbook.matchAll(/<sheet\b[^>]*>/g)].flatMap((match) => {
    const part = targets.get(attributeOf(match[0], 'r:id') ?? '');
    return part && parts.has(part) ? [{ name: attributeOf(match[0], 'name') ?? part, part }] : [];
  });
}

function sharedStringText(item: string): string {
  // Phonetic runs (<rPh>) are reading aids, not the cell's text.
  const withoutPhonetics = item.replace(/<rPh\b[\s\S]*?<\/rPh>/g, '');
  return [...withoutPhonetics.matchAll(/<t(?:\s[^>]*)?>([^<]*)<\/t>/g)].map((m) => unescapeXmlText(m[1]!)).join('');
}

const SPREADSHEET: PackageFormat = {
  read(parts) {
    const shared = parts.has('xl/sharedStrings.xml')
      ? [...parts.text('xl/sharedStrings.xml').matchAll(SHARED_STRING)].map((m) => sharedStringText(m[1] ?? ''))
      : [];
    const usedBy = new Map<number, string[]>();
    const cells: TextField[] = [];
    for (const sheet of sheetsOf(parts)) {
      for (const match of parts.text(sheet.part).matchAll(CELL)) {
        const attributes = match[1] ?? '';
        const content = match[2] ?? '';
        const ref = attributeOf(` ${attributes}`, 'r') ?? '?';
        const type = attributeOf(` ${attributes}`, 't') ?? 'n';
        const where = `${sheet.name}!${ref}`;
        const value = /<v>([^<]*)<\/v>/.exec(content)?.[1];
        const formula = /<f\b[^>]*>([^<]*)<\/f>/.exec(content)?.[1];
        if (formula !== undefined) {
          const cached = value === undefined ? '' : ` (${unescapeXmlText(value)})`;
          cells.push({
            id: `f:${sheet.part}:${ref}`,
            label: where,
            text: `=${unescapeXmlText(formula)}${cached}`,
            editable: false,
            multiline: false,
          });
        } else if (type === 's' && value !== undefined) {
          const list = usedBy.get(Number(value)) ?? [];
          list.push(where);
          usedBy.set(Number(value), list);
        } else if (type === 'inlineStr') {
          cells.push({
            id: `c:${sheet.part}:${ref}`,
            label: where,
            text: sharedStringText(content),
            editable: true,
            multiline: false,
          });
        } else if (type === 'n' && value !== undefined) {
          cells.push({ id: `c:${sheet.part}:${ref}`, label: where, text: value, editable: true, multiline: false });
        }
      }
    }
    const strings = shared.map((text, index) => ({
      id: `s${index}`,
      label: usedBy.get(index)?.join(', ') ?? `Shared text ${index + 1}`,
      text,
      editable: true,
      multiline: false,
    }));
    return [...strings, ...cells];
  },
  write(parts, changes) {
    if (changes.size === 0) return;
    if (parts.has('xl/sharedStrings.xml')) {
      let index = -1;
      parts.set(
        'xl/sharedStrings.xml',
        parts.text('xl/sharedStrings.xml').replace(SHARED_STRING, (item) => {
          index += 1;
          const text = changes.get(`s${index}`);
          return text === undefined ? item : `<si><t xml:space="preserve">${escapeXmlText(text)}</t></si>`;
        }),
      );
    }
    for (const sheet of sheetsOf(parts)) {
      parts.set(
        sheet.part,
        parts.text(sheet.part).replace(CELL, (cell, attributes: string, content: string | undefined) => {
          const ref = attributeOf(` ${attributes}`, 'r') ?? '?';
          if (content?.includes('<f')) {
            // Values changed: the cached result may be stale; without it the reader recalculates.
            return cell.replace(/<v>[^<]*<\/v>/, '').replace(/\st="[^"]*"/, '');
          }
          const text = changes.get(`c:${sheet.part}:${ref}`);
          if (text === undefined) return cell;
          const kept = attributes.replace(/\st="[^"]*"/, '');
          return NUMBER.test(text.trim())
            ? `<c${kept}><v>${Number(text.trim())}</v></c>`
            : `<c${kept} t="inlineStr"><is><t xml:space="preserve">${escapeXmlText(text)}</t></is></c>`;
        }),
      );
    }
    parts.set('xl/workbook.xml', withFullCalculationOnLoad(parts.text('xl/workbook.xml')));
  },
};

/** Asks the reader to recalculate every formula when it opens the workbook (CT_CalcPr fullCalcOnLoad). */
function withFullCalculationOnLoad(workbook: string): string {
  if (/<calcPr\b[^>]*fullCalcOnLoad=/.test(workbook)) return workbook;
  if (/<calcPr\b/.test(workbook)) return workbook.replace(/<calcPr\b/, '<calcPr fullCalcOnLoad="1"');
  // calcPr follows sheets, externalReferences and definedNames in CT_Workbook.
  const after = ['</definedNames>', '</externalReferences>', '</sheets>'].find((tag) => workbook.includes(tag));
  if (!after) return workbook;
  const at = workbook.indexOf(after) + after.length;
  return `${workbook.slice(0, at)}<calcPr fullCalcOnLoad="1"/>${workbook.slice(at)}`;
}
