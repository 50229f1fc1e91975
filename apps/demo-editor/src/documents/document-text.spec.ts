import { SAMPLE_DOCUMENTS } from '../../../demo-core/src/samples/sample-documents';
import { formatOf, readDocumentText, UnsupportedDocumentError, writeDocumentText } from './document-text';
import { readZip } from './zip-reader';

const context = { author: 'Alice Anderson', createdAt: new Date('2026-01-02T03:04:05Z') };
const sample = (name: string) => SAMPLE_DOCUMENTS.find((document) => document.name === name)!.build(context);

describe('document text', () => {
  it('shows the text of every sample', () => {
    const text = (name: string) =>
      readDocumentText(formatOf(name)!, sample(name))
        .map((field) => `${field.label}: ${field.text}`)
        .join('\n');
    expect(text('Welcome.docx')).toContain('Paragraph 1 (Title): Welcome to the WOPI Gateway demo');
    expect(text('Welcome.docx')).toContain('This document belongs to demo-core, a small reference core application.');
    expect(text('Meeting notes.odt')).toMatch(/Heading 1: .+/);
    expect(text('Roadmap.pptx')).toMatch(/Slide 1, paragraph 1: .+/);
    expect(text('Budget.xlsx')).toMatch(/!B\d+: =SUM\(/);
  });

  it.each(['Welcome.docx', 'Meeting notes.odt', 'Roadmap.pptx'])(
    'rewrites a paragraph of %s, splits lines into paragraphs and keeps the rest',
    (name) => {
      const format = formatOf(name)!;
      const before = readDocumentText(format, sample(name));
      const target = before[1]!;
      const saved = writeDocumentText(format, sample(name), new Map([[target.id, 'First line & <more>\nSecond line']]));
      const after = readDocumentText(format, saved);
      expect(after).toHaveLength(before.length + 1);
      expect(after[1]!.text).toBe('First line & <more>');
      expect(after[2]!.text).toBe('Second line');
      expect(after[0]!.text).toBe(before[0]!.text);
      expect(after.slice(3).map((field) => field.text)).toEqual(before.slice(2).map((field) => field.text));
      // Same package: same parts in the same order (ODF's mimetype first and stored).
      const entries = readZip(saved);
      expect(entries.map((entry) => entry.name)).toEqual(readZip(sample(name)).map((entry) => entry.name));
      // ODF readers find the stored mimetype entry first; OOXML has none.
      const mimetype = entries.find((entry) => entry.name === 'mimetype');
      expect(mimetype?.stored).toBe(format === 'odt' ? true : undefined);
      expect(entries[0]!.name === 'mimetype').toBe(format === 'odt');
    },
  );

  it('changes spreadsheet text and numbers, and leaves formulas to be recalculated', () => {
    const before = readDocumentText('xlsx', sample('Budget.xlsx'));
    const text = before.find((field) => field.editable && !/^[\d.]+$/.test(field.text))!;
    const number = before.find((field) => field.editable && /^\d+$/.test(field.text))!;
    const saved = writeDocumentText(
      'xlsx',
      sample('Budget.xlsx'),
      new Map([
        [text.id, 'Renamed row'],
        [number.id, '4242'],
      ]),
    );
    const after = readDocumentText('xlsx', saved);
    expect(after.find((field) => field.id === text.id)!.text).toBe('Renamed row');
    expect(after.find((field) => field.id === number.id)!.text).toBe('4242');
    const workbook = readZip(saved)
      .find((entry) => entry.name === 'xl/workbook.xml')!
      .data.toString();
    expect(workbook).toContain('fullCalcOnLoad="1"');
    // A number cell given words becomes a text cell.
    const worded = writeDocumentText('xlsx', saved, new Map([[number.id, 'n/a']]));
    expect(readDocumentText('xlsx', worded).find((field) => field.id === number.id)!.text).toBe('n/a');
  });

  it('keeps plain text as UTF-8, with its byte order mark if it had one', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('hello\nwörld', 'utf8')]);
    expect(readDocumentText('txt', bytes)).toEqual([
      { id: 'text', label: 'Text', text: 'hello\nwörld', editable: true, multiline: true },
    ]);
    const saved = writeDocumentText('txt', bytes, new Map([['text', 'grüß']]));
    expect(saved).toEqual(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('grüß', 'utf8')]));
  });

  it('refuses what it cannot read or a field the document does not have', () => {
    expect(() => readDocumentText('docx', Buffer.from('not a zip'))).toThrow(UnsupportedDocumentError);
    expect(() => writeDocumentText('docx', sample('Welcome.docx'), new Map([['p999', 'x']]))).toThrow(
      UnsupportedDocumentError,
    );
  });
});
