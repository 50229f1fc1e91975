import { FileSignature, outputProblem, signatureOf } from './file-signature';

const OLE2 = Buffer.from('d0cf11e0a1b11ae1', 'hex');
const ZIP_HEAD = Buffer.from('PK\x03\x04\x14\x00\x00\x00', 'latin1');
const ZIP_TAIL = Buffer.concat([
  Buffer.from('...central directory...'),
  Buffer.from('PK\x05\x06', 'latin1'),
  Buffer.alloc(18),
]);
const PDF_HEAD = Buffer.from('%PDF-1.6', 'latin1');
const PDF_TAIL = Buffer.from('startxref\n23034\n%%EOF\n', 'latin1');

describe('signatureOf', () => {
  it('recognises OLE2, ZIP and PDF by their first bytes', () => {
    expect(signatureOf(OLE2)).toBe(FileSignature.Ole2);
    expect(signatureOf(ZIP_HEAD)).toBe(FileSignature.Zip);
    expect(signatureOf(PDF_HEAD)).toBe(FileSignature.Pdf);
    expect(signatureOf(Buffer.from('{\\rtf1'))).toBeUndefined();
    expect(signatureOf(Buffer.alloc(0))).toBeUndefined();
  });
});

describe('outputProblem', () => {
  it('accepts a complete package or PDF', () => {
    expect(outputProblem('docx', 4096, ZIP_HEAD, ZIP_TAIL)).toBeUndefined();
    expect(outputProblem('pdf', 4096, PDF_HEAD, PDF_TAIL)).toBeUndefined();
  });

  it('names what is wrong: empty, wrong container, cut short', () => {
    expect(outputProblem('xlsx', 0, Buffer.alloc(0), Buffer.alloc(0))).toBe('the converted file is empty');
    expect(outputProblem('pptx', 9216, OLE2, OLE2)).toBe(
      'the converted file is not a pptx file (expected a zip signature, found ole2)',
    );
    expect(outputProblem('pdf', 10, Buffer.from('<html>'), Buffer.from('</html>'))).toBe(
      'the converted file is not a pdf file (expected a pdf signature, found none)',
    );
    expect(outputProblem('docx', 4096, ZIP_HEAD, Buffer.from('half a deflate stream'))).toBe(
      'the converted docx file is truncated (no zip end marker)',
    );
    expect(outputProblem('pdf', 4096, PDF_HEAD, Buffer.from('stream\nx\x9c...'))).toBe(
      'the converted pdf file is truncated (no pdf end marker)',
    );
  });
});
