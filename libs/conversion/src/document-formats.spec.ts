import { ConversionError, ConversionErrorCode } from './conversion.error';
import {
  convertedFileName,
  DocumentFamily,
  formatOfFileName,
  planConversion,
  TARGET_FORMATS,
} from './document-formats';

function unsupported(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConversionError);
    expect((error as ConversionError).code).toBe(ConversionErrorCode.UnsupportedConversion);
    return (error as ConversionError).detail;
  }
  throw new Error('expected an unsupported conversion');
}

describe('planConversion', () => {
  it('upgrades each legacy binary format to its OOXML successor', () => {
    expect(planConversion('doc', 'docx')).toEqual({ inputFormat: 'doc', outputFormat: 'docx', family: 'text' });
    expect(planConversion('xls', 'xlsx').family).toBe(DocumentFamily.Spreadsheet);
    expect(planConversion('ppt', 'pptx').family).toBe(DocumentFamily.Presentation);
  });

  it('turns any supported document into PDF', () => {
    for (const format of ['doc', 'docx', 'odt', 'rtf', 'xls', 'xlsx', 'ods', 'csv', 'ppt', 'pptx', 'odp']) {
      expect(planConversion(format, 'pdf').outputFormat).toBe('pdf');
    }
  });

  it('refuses other directions and unknown types, saying what is possible', () => {
    expect(unsupported(() => planConversion('xls', 'docx'))).toBe('.xls converts only to xlsx or pdf, not to docx');
    expect(unsupported(() => planConversion('docx', 'docx'))).toBe('.docx converts only to pdf, not to docx');
    expect(unsupported(() => planConversion('odt', 'docx'))).toBe('.odt converts only to pdf, not to docx');
    expect(unsupported(() => planConversion('exe', 'pdf'))).toBe('files of type .exe cannot be converted');
    expect(unsupported(() => planConversion(undefined, 'pdf'))).toBe('files of type unknown cannot be converted');
  });
});

describe('file names', () => {
  it('reads the extension in lower case', () => {
    expect(formatOfFileName('Report.DOC')).toBe('doc');
    expect(formatOfFileName('archive.tar.gz')).toBe('gz');
    expect(formatOfFileName('README')).toBeUndefined();
    expect(formatOfFileName('.profile')).toBeUndefined();
    expect(formatOfFileName('trailing.')).toBeUndefined();
  });

  it('names the result after the source with the new extension', () => {
    expect(convertedFileName('Report.doc', 'docx')).toBe('Report.docx');
    expect(convertedFileName('Q3 (final).v2.xlsx', 'pdf')).toBe('Q3 (final).v2.pdf');
    expect(convertedFileName('README', 'pdf')).toBe('README.pdf');
  });

  it('knows exactly the four target formats', () => {
    expect(TARGET_FORMATS).toEqual(['docx', 'xlsx', 'pptx', 'pdf']);
  });
});
