import { ContentType, ooxmlPackage, RelationshipType, relationshipsXml } from './ooxml-package';
import { SampleContext } from './sample-context';
import { escapeXml, XML_DECLARATION } from './xml';

const S_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const R_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const HEADER = ['Item', 'Q1', 'Q2'] as const;
const ROWS: readonly (readonly [string, number, number])[] = [
  ['Hosting', 1200, 1350],
  ['Licences', 800, 800],
  ['Travel', 450, 600],
];
// Style index 1 in cellXfs below: bold header and total row.
const BOLD = 1;

/** A minimal SpreadsheetML package: one sheet of numbers with SUM formulas. */
export function buildBudgetXlsx(context: SampleContext): Buffer {
  return ooxmlPackage({
    mainPart: 'xl/workbook.xml',
    title: 'Budget',
    context,
    contentTypes: {
      '/xl/workbook.xml': ContentType.Workbook,
      '/xl/worksheets/sheet1.xml': ContentType.Worksheet,
      '/xl/styles.xml': ContentType.SpreadsheetStyles,
    },
    parts: [
      { name: 'xl/workbook.xml', data: workbookXml() },
      {
        name: 'xl/_rels/workbook.xml.rels',
        data: relationshipsXml([
          { id: 'rId1', type: RelationshipType.Worksheet, target: 'worksheets/sheet1.xml' },
          { id: 'rId2', type: RelationshipType.Styles, target: 'styles.xml' },
        ]),
      },
      { name: 'xl/worksheets/sheet1.xml', data: sheetXml() },
      { name: 'xl/styles.xml', data: stylesXml() },
    ],
  });
}

function workbookXml(): string {
  // fullCalcOnLoad: the cached totals below are right, but a client should not have to trust them.
  return (
    XML_DECLARATION +
    `<workbook xmlns="${S_NS}" xmlns:r="${R_NS}">` +
    '<sheets><sheet name="Budget" sheetId="1" r:id="rId1"/></sheets>' +
    '<calcPr calcId="191029" fullCalcOnLoad="1"/>' +
    '</workbook>'
  );
}

function sheetXml(): string {
  const text = (ref: string, value: string, style?: number) =>
    `<c r="${ref}" t="inlineStr"${style ? ` s="${style}"` : ''}><is><t>${escapeXml(value)}</t></is></c>`;
  const number = (ref: string, value: number) => `<c r="${ref}"><v>${value}</v></c>`;
  const totalRow = ROWS.length + 2;
  // The cached value <v> is what a client shows before it recalculates.
  const total = (column: 'B' | 'C', index: 1 | 2) =>
    `<c r="${column}${totalRow}" s="${BOLD}"><f>SUM(${column}2:${column}${totalRow - 1})</f>` +
    `<v>${ROWS.reduce((sum, row) => sum + row[index], 0)}</v></c>`;

  const rows = [
    `<row r="1">${text('A1', HEADER[0], BOLD)}${text('B1', HEADER[1], BOLD)}${text('C1', HEADER[2], BOLD)}</row>`,
    ...ROWS.map(([item, q1, q2], index) => {
      const r = index + 2;
      return `<row r="${r}">${text(`A${r}`, item)}${number(`B${r}`, q1)}${number(`C${r}`, q2)}</row>`;
    }),
    `<row r="${totalRow}">${text(`A${totalRow}`, 'Total', BOLD)}${total('B', 1)}${total('C', 2)}</row>`,
  ];

  return (
    XML_DECLARATION +
    `<worksheet xmlns="${S_NS}" xmlns:r="${R_NS}">` +
    `<dimension ref="A1:C${totalRow}"/>` +
    '<cols><col min="1" max="1" width="20" customWidth="1"/><col min="2" max="3" width="12" customWidth="1"/></cols>' +
    `<sheetData>${rows.join('')}</sheetData>` +
    '</worksheet>'
  );
}

// The smallest style sheet Excel accepts without a repair prompt: it expects the two
// built-in fills (none, gray125) and one border, font and cell format at index 0.
function stylesXml(): string {
  return (
    XML_DECLARATION +
    `<styleSheet xmlns="${S_NS}">` +
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>' +
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>' +
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>' +
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
    '</styleSheet>'
  );
}
