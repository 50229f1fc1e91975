import { SampleContext } from './sample-context';
import { escapeXml, XML_DECLARATION } from './xml';
import { createZip, ZipEntry } from './zip-writer';

// Open Packaging Conventions (ECMA-376 part 2) pieces shared by the .docx, .xlsx and .pptx
// samples: the content-type map, relationship parts and the two document-property parts.

export const RelationshipType = {
  OfficeDocument: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument',
  CoreProperties: 'http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties',
  ExtendedProperties: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties',
  Styles: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles',
  Worksheet: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet',
  SlideMaster: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/slideMaster',
  SlideLayout: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/slideLayout',
  Slide: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide',
  Theme: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme',
  PresProps: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/presProps',
  ViewProps: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/viewProps',
  TableStyles: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/tableStyles',
} as const;

export const ContentType = {
  Relationships: 'application/vnd.openxmlformats-package.relationships+xml',
  Xml: 'application/xml',
  CoreProperties: 'application/vnd.openxmlformats-package.core-properties+xml',
  ExtendedProperties: 'application/vnd.openxmlformats-officedocument.extended-properties+xml',
  WordDocument: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml',
  WordStyles: 'application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml',
  Workbook: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml',
  Worksheet: 'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml',
  SpreadsheetStyles: 'application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml',
  Presentation: 'application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml',
  SlideMaster: 'application/vnd.openxmlformats-officedocument.presentationml.slideMaster+xml',
  SlideLayout: 'application/vnd.openxmlformats-officedocument.presentationml.slideLayout+xml',
  Slide: 'application/vnd.openxmlformats-officedocument.presentationml.slide+xml',
  Theme: 'application/vnd.openxmlformats-officedocument.theme+xml',
  PresProps: 'application/vnd.openxmlformats-officedocument.presentationml.presProps+xml',
  ViewProps: 'application/vnd.openxmlformats-officedocument.presentationml.viewProps+xml',
  TableStyles: 'application/vnd.openxmlformats-officedocument.presentationml.tableStyles+xml',
} as const;

export interface Relationship {
  readonly id: string;
  readonly type: string;
  /** Relative to the folder of the source part (OPC part 2, 9.3). */
  readonly target: string;
}

/** `[Content_Types].xml`: defaults for .rels and .xml, one override per typed part. */
export function contentTypesXml(overrides: Readonly<Record<string, string>>): string {
  const parts = Object.entries(overrides)
    .map(([partName, type]) => `<Override PartName="${escapeXml(partName)}" ContentType="${type}"/>`)
    .join('');
  return (
    XML_DECLARATION +
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    `<Default Extension="rels" ContentType="${ContentType.Relationships}"/>` +
    `<Default Extension="xml" ContentType="${ContentType.Xml}"/>` +
    parts +
    '</Types>'
  );
}

export function relationshipsXml(relationships: readonly Relationship[]): string {
  const items = relationships
    .map((rel) => `<Relationship Id="${rel.id}" Type="${rel.type}" Target="${escapeXml(rel.target)}"/>`)
    .join('');
  return (
    XML_DECLARATION +
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
    items +
    '</Relationships>'
  );
}

/** The package-level `_rels/.rels`: main part plus the two property parts. */
export function packageRelationshipsXml(mainPart: string): string {
  return relationshipsXml([
    { id: 'rId1', type: RelationshipType.OfficeDocument, target: mainPart },
    { id: 'rId2', type: RelationshipType.CoreProperties, target: 'docProps/core.xml' },
    { id: 'rId3', type: RelationshipType.ExtendedProperties, target: 'docProps/app.xml' },
  ]);
}

export function corePropertiesXml(title: string, creator: string, at: Date): string {
  // W3CDTF without fractional seconds, the form Office itself writes.
  const timestamp = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return (
    XML_DECLARATION +
    '<cp:coreProperties' +
    ' xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"' +
    ' xmlns:dc="http://purl.org/dc/elements/1.1/"' +
    ' xmlns:dcterms="http://purl.org/dc/terms/"' +
    ' xmlns:dcmitype="http://purl.org/dc/dcmitype/"' +
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<dc:title>${escapeXml(title)}</dc:title>` +
    `<dc:creator>${escapeXml(creator)}</dc:creator>` +
    `<cp:lastModifiedBy>${escapeXml(creator)}</cp:lastModifiedBy>` +
    `<dcterms:created xsi:type="dcterms:W3CDTF">${timestamp}</dcterms:created>` +
    `<dcterms:modified xsi:type="dcterms:W3CDTF">${timestamp}</dcterms:modified>` +
    '</cp:coreProperties>'
  );
}

export function extendedPropertiesXml(): string {
  return (
    XML_DECLARATION +
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"' +
    ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">' +
    '<Application>WOPI Gateway demo-core</Application>' +
    '</Properties>'
  );
}

/**
 * A whole package: `[Content_Types].xml` (the given typed parts, then the two property parts), the
 * package relationships to `mainPart` and the properties, the property parts, then `parts`.
 */
export function ooxmlPackage(spec: {
  mainPart: string;
  title: string;
  context: SampleContext;
  contentTypes: Readonly<Record<string, string>>;
  parts: readonly ZipEntry[];
}): Buffer {
  const { context } = spec;
  return createZip(
    [
      {
        name: '[Content_Types].xml',
        data: contentTypesXml({
          ...spec.contentTypes,
          '/docProps/core.xml': ContentType.CoreProperties,
          '/docProps/app.xml': ContentType.ExtendedProperties,
        }),
      },
      { name: '_rels/.rels', data: packageRelationshipsXml(spec.mainPart) },
      { name: 'docProps/core.xml', data: corePropertiesXml(spec.title, context.author, context.createdAt) },
      { name: 'docProps/app.xml', data: extendedPropertiesXml() },
      ...spec.parts,
    ],
    { modifiedAt: context.createdAt },
  );
}
