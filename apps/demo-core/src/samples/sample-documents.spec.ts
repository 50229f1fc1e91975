import { posix } from 'node:path';
import { readZip } from '../../test/read-zip';
import { SAMPLE_DOCUMENTS } from './sample-documents';

// Structural checks of the Open Packaging Conventions and ODF packaging rules, so a broken
// sample fails here; that Office/LibreOffice render them was checked by hand (see README).

const context = { author: 'Alice Anderson', createdAt: new Date('2025-01-02T03:04:05.678Z') };

function build(name: string): Map<string, Buffer> {
  const sample = SAMPLE_DOCUMENTS.find((s) => s.name === name);
  if (!sample) throw new Error(`no sample ${name}`);
  return new Map(readZip(sample.build(context)).map((entry) => [entry.name, entry.data]));
}

function attributes(xml: string, element: string): Record<string, string>[] {
  return [...xml.matchAll(new RegExp(`<${element}\\s([^>]*?)/?>`, 'g'))].map((match) =>
    Object.fromEntries([...match[1].matchAll(/([\w:.-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
  );
}

function relsSourceDir(relsPath: string): string {
  // word/_rels/document.xml.rels describes word/document.xml, so targets resolve from word/.
  return posix.dirname(posix.dirname(relsPath));
}

describe.each(['Welcome.docx', 'Budget.xlsx', 'Roadmap.pptx'])('%s', (name) => {
  const parts = build(name);

  it('declares a content type for every part and only for parts that exist', () => {
    const types = parts.get('[Content_Types].xml')!.toString();
    const overrides = attributes(types, 'Override').map((o) => o.PartName.slice(1));
    const defaults = new Set(attributes(types, 'Default').map((d) => d.Extension));
    for (const part of overrides) expect({ part, exists: parts.has(part) }).toEqual({ part, exists: true });
    for (const part of parts.keys()) {
      if (part === '[Content_Types].xml') continue;
      // OPC extensions are what follows the last dot, so `_rels/.rels` has extension "rels".
      const typed = overrides.includes(part) || defaults.has(part.slice(part.lastIndexOf('.') + 1));
      expect({ part, typed }).toEqual({ part, typed: true });
    }
  });

  it('has relationships whose targets all exist', () => {
    const rels = [...parts.keys()].filter((part) => part.endsWith('.rels'));
    expect(rels).toContain('_rels/.rels');
    for (const relsPath of rels) {
      for (const rel of attributes(parts.get(relsPath)!.toString(), 'Relationship')) {
        const target = posix.normalize(posix.join(relsSourceDir(relsPath), rel.Target));
        expect({ relsPath, target, exists: parts.has(target) }).toEqual({ relsPath, target, exists: true });
      }
    }
  });

  it('starts every XML part with an XML declaration', () => {
    for (const [part, data] of parts) {
      const xml = data.toString();
      expect({ part, declared: xml.startsWith('<?xml version="1.0"') }).toEqual({ part, declared: true });
    }
  });
});

describe('Meeting notes.odt', () => {
  const sample = SAMPLE_DOCUMENTS.find((s) => s.name === 'Meeting notes.odt')!;
  const entries = readZip(sample.build(context));

  it('starts with an uncompressed mimetype entry (ODF 1.3 part 2, 3.3)', () => {
    expect(entries[0]).toEqual(expect.objectContaining({ name: 'mimetype', method: 0, localHeaderOffset: 0 }));
    expect(entries[0].data.toString()).toBe('application/vnd.oasis.opendocument.text');
  });

  it('lists every file in the manifest', () => {
    const manifest = entries.find((e) => e.name === 'META-INF/manifest.xml')!.data.toString();
    const listed = attributes(manifest, 'manifest:file-entry').map((e) => e['manifest:full-path']);
    expect(listed).toContain('/');
    for (const entry of entries) {
      if (entry.name === 'mimetype' || entry.name.startsWith('META-INF/')) continue;
      expect(listed).toContain(entry.name);
    }
  });

  it('carries the meeting text', () => {
    const content = entries.find((e) => e.name === 'content.xml')!.data.toString();
    expect(content).toContain('<text:h text:style-name="Heading_20_1" text:outline-level="1">Meeting notes</text:h>');
  });
});

describe('SAMPLE_DOCUMENTS', () => {
  it('has the five documented samples, the validator file empty', () => {
    expect(SAMPLE_DOCUMENTS.map((s) => s.name)).toEqual([
      'Welcome.docx',
      'Budget.xlsx',
      'Roadmap.pptx',
      'Meeting notes.odt',
      'validator.wopitest',
    ]);
    expect(SAMPLE_DOCUMENTS[4].build(context).length).toBe(0);
  });

  it('escapes text and keeps the author in document properties', () => {
    expect(build('Welcome.docx').get('docProps/core.xml')!.toString()).toContain(
      '<dc:creator>Alice Anderson</dc:creator>',
    );
  });
});
