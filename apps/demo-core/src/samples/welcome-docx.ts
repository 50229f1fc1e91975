import { ContentType, ooxmlPackage, RelationshipType, relationshipsXml } from './ooxml-package';
import { SampleContext } from './sample-context';
import { escapeXml, XML_DECLARATION } from './xml';

const W_NS = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const TITLE = 'Welcome to the WOPI Gateway demo';

type Block = { style?: 'Title' | 'Heading1'; runs: readonly { text: string; bold?: boolean }[] };

const BODY: readonly Block[] = [
  { style: 'Title', runs: [{ text: TITLE }] },
  {
    runs: [
      { text: 'This document belongs to ' },
      { text: 'demo-core', bold: true },
      {
        text:
          ', a small reference core application. The WOPI Gateway lets Office for the web, ' +
          'Collabora Online and ONLYOFFICE open it, although demo-core itself does not speak WOPI.',
      },
    ],
  },
  { style: 'Heading1', runs: [{ text: 'Try it' }] },
  {
    runs: [
      {
        text:
          'Change this paragraph and save. The gateway stages your edit and writes it back to ' +
          'demo-core, which bumps the document version.',
      },
    ],
  },
  {
    runs: [
      {
        text:
          'Open the same document as bob (editor), carol (viewer) or dave (no access) to see how ' +
          "each user's permissions change what the editor allows.",
      },
    ],
  },
];

/** A minimal WordprocessingML package: document, styles and document properties. */
export function buildWelcomeDocx(context: SampleContext): Buffer {
  return ooxmlPackage({
    mainPart: 'word/document.xml',
    title: TITLE,
    context,
    contentTypes: {
      '/word/document.xml': ContentType.WordDocument,
      '/word/styles.xml': ContentType.WordStyles,
    },
    parts: [
      { name: 'word/document.xml', data: documentXml() },
      {
        name: 'word/_rels/document.xml.rels',
        data: relationshipsXml([{ id: 'rId1', type: RelationshipType.Styles, target: 'styles.xml' }]),
      },
      { name: 'word/styles.xml', data: stylesXml() },
    ],
  });
}

function documentXml(): string {
  const paragraphs = BODY.map((block) => {
    const properties = block.style ? `<w:pPr><w:pStyle w:val="${block.style}"/></w:pPr>` : '';
    const runs = block.runs
      .map(
        (run) =>
          '<w:r>' +
          (run.bold ? '<w:rPr><w:b/></w:rPr>' : '') +
          `<w:t xml:space="preserve">${escapeXml(run.text)}</w:t>` +
          '</w:r>',
      )
      .join('');
    return `<w:p>${properties}${runs}</w:p>`;
  }).join('');
  // A4 with 1-inch margins, in twentieths of a point; header/footer/gutter are required attributes.
  const section =
    '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>' +
    '<w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="708" w:footer="708" w:gutter="0"/>' +
    '</w:sectPr>';
  return `${XML_DECLARATION}<w:document xmlns:w="${W_NS}"><w:body>${paragraphs}${section}</w:body></w:document>`;
}

// Element order inside w:style, w:pPr and w:rPr follows the schema sequence; Word rejects
// out-of-order children as corrupt even where LibreOffice is lenient.
function stylesXml(): string {
  return (
    XML_DECLARATION +
    `<w:styles xmlns:w="${W_NS}">` +
    '<w:docDefaults>' +
    '<w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsia="Calibri" w:cs="Calibri"/>' +
    '<w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-US"/></w:rPr></w:rPrDefault>' +
    '<w:pPrDefault><w:pPr><w:spacing w:after="160" w:line="259" w:lineRule="auto"/></w:pPr></w:pPrDefault>' +
    '</w:docDefaults>' +
    '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>' +
    '<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/>' +
    '<w:next w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:after="240"/></w:pPr>' +
    '<w:rPr><w:sz w:val="56"/><w:szCs w:val="56"/></w:rPr></w:style>' +
    '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/>' +
    '<w:next w:val="Normal"/><w:qFormat/>' +
    '<w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr>' +
    '<w:rPr><w:b/><w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr></w:style>' +
    '</w:styles>'
  );
}
