import { SampleContext } from './sample-context';
import { escapeXml } from './xml';
import { createZip } from './zip-writer';

const MEDIA_TYPE = 'application/vnd.oasis.opendocument.text';
const ODF_VERSION = '1.3';
const NS = {
  office: 'urn:oasis:names:tc:opendocument:xmlns:office:1.0',
  style: 'urn:oasis:names:tc:opendocument:xmlns:style:1.0',
  text: 'urn:oasis:names:tc:opendocument:xmlns:text:1.0',
  fo: 'urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0',
  meta: 'urn:oasis:names:tc:opendocument:xmlns:meta:1.0',
  dc: 'http://purl.org/dc/elements/1.1/',
  manifest: 'urn:oasis:names:tc:opendocument:xmlns:manifest:1.0',
} as const;
const TITLE = 'Meeting notes';

type Block = { heading?: true; text: string };
const BODY: readonly Block[] = [
  { heading: true, text: TITLE },
  { text: 'Attendees: Alice, Bob, Carol.' },
  { heading: true, text: 'Decisions' },
  { text: 'Pilot the WOPI Gateway with the finance and product teams.' },
  { text: 'Keep every document in demo-core; editors only ever see it through the gateway.' },
  { heading: true, text: 'Actions' },
  { text: 'Bob: draft the roadmap slides. Carol: review the budget sheet.' },
];

/** A minimal OpenDocument text package (ODF 1.3 part 2: package; part 3: schema). */
export function buildMeetingNotesOdt(context: SampleContext): Buffer {
  return createZip(
    [
      // ODF 1.3 part 2, 3.3: `mimetype` first, stored, no extra field, so tools can sniff it.
      { name: 'mimetype', data: MEDIA_TYPE, store: true },
      { name: 'content.xml', data: contentXml() },
      { name: 'styles.xml', data: stylesXml() },
      { name: 'meta.xml', data: metaXml(context) },
      { name: 'META-INF/manifest.xml', data: manifestXml() },
    ],
    { modifiedAt: context.createdAt },
  );
}

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

function contentXml(): string {
  const blocks = BODY.map((block) =>
    block.heading
      ? `<text:h text:style-name="Heading_20_1" text:outline-level="1">${escapeXml(block.text)}</text:h>`
      : `<text:p text:style-name="Text_20_body">${escapeXml(block.text)}</text:p>`,
  ).join('');
  return (
    DECLARATION +
    `<office:document-content xmlns:office="${NS.office}" xmlns:style="${NS.style}" xmlns:text="${NS.text}"` +
    ` xmlns:fo="${NS.fo}" office:version="${ODF_VERSION}">` +
    `<office:body><office:text>${blocks}</office:text></office:body>` +
    '</office:document-content>'
  );
}

function stylesXml(): string {
  return (
    DECLARATION +
    `<office:document-styles xmlns:office="${NS.office}" xmlns:style="${NS.style}" xmlns:text="${NS.text}"` +
    ` xmlns:fo="${NS.fo}" office:version="${ODF_VERSION}">` +
    '<office:styles>' +
    '<style:default-style style:family="paragraph">' +
    '<style:text-properties fo:font-size="11pt" fo:language="en" fo:country="US"/></style:default-style>' +
    '<style:style style:name="Standard" style:family="paragraph" style:class="text"/>' +
    '<style:style style:name="Text_20_body" style:display-name="Text body" style:family="paragraph"' +
    ' style:parent-style-name="Standard" style:class="text">' +
    '<style:paragraph-properties fo:margin-top="0cm" fo:margin-bottom="0.25cm"/></style:style>' +
    '<style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph"' +
    ' style:parent-style-name="Standard" style:next-style-name="Text_20_body" style:default-outline-level="1"' +
    ' style:class="text">' +
    '<style:paragraph-properties fo:margin-top="0.42cm" fo:margin-bottom="0.21cm" fo:keep-with-next="always"/>' +
    '<style:text-properties fo:font-size="16pt" fo:font-weight="bold"/></style:style>' +
    '</office:styles>' +
    '</office:document-styles>'
  );
}

function metaXml(context: SampleContext): string {
  const created = context.createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return (
    DECLARATION +
    `<office:document-meta xmlns:office="${NS.office}" xmlns:meta="${NS.meta}" xmlns:dc="${NS.dc}"` +
    ` office:version="${ODF_VERSION}"><office:meta>` +
    '<meta:generator>WOPI Gateway demo-core</meta:generator>' +
    `<dc:title>${escapeXml(TITLE)}</dc:title>` +
    `<meta:initial-creator>${escapeXml(context.author)}</meta:initial-creator>` +
    `<meta:creation-date>${created}</meta:creation-date>` +
    '</office:meta></office:document-meta>'
  );
}

function manifestXml(): string {
  const entry = (path: string, type: string, extra = '') =>
    `<manifest:file-entry manifest:full-path="${path}"${extra} manifest:media-type="${type}"/>`;
  return (
    DECLARATION +
    `<manifest:manifest xmlns:manifest="${NS.manifest}" manifest:version="${ODF_VERSION}">` +
    entry('/', MEDIA_TYPE, ` manifest:version="${ODF_VERSION}"`) +
    entry('content.xml', 'text/xml') +
    entry('styles.xml', 'text/xml') +
    entry('meta.xml', 'text/xml') +
    '</manifest:manifest>'
  );
}
