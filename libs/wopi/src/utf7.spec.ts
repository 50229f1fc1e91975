import { decodeUtf7, encodeUtf7 } from './utf7';

describe('UTF-7', () => {
  describe('encodeUtf7', () => {
    // Expected values are what Microsoft's WOPI validator sends for these names (its requests
    // encode X-WOPI-RequestedName / -RelativeTarget / -SuggestedTarget the way .NET's UTF7Encoding does).
    it.each([
      ['ValidatorTestFileRenamed', 'ValidatorTestFileRenamed'],
      ['.wopitestx', '.wopitestx'],
      ['madeup_name.wopitestx', 'madeup+AF8-name.wopitestx'],
      ['madeup_renamed', 'madeup+AF8-renamed'],
      ['日本語 (1).docx', '+ZeVnLIqe- (1).docx'],
      ['Résumé + notes.docx', 'R+AOk-sum+AOk- +- notes.docx'],
      ['😀.docx', '+2D3eAA-.docx'],
      ['a~b\\c.txt', 'a+AH4-b+AFw-c.txt'],
      ['Hi Mom -☺-!', 'Hi Mom -+Jjo--+ACE-'],
      ['', ''],
    ])('encodes %p as %p', (text, encoded) => {
      expect(encodeUtf7(text)).toBe(encoded);
    });

    it('writes only 7-bit characters', () => {
      expect(encodeUtf7('Ünïcödé 日本 😀 ∑')).toMatch(/^[\x20-\x7e]*$/);
    });

    it('refuses text that is not well-formed UTF-16', () => {
      expect(() => encodeUtf7('bad\uD83D.docx')).toThrow(RangeError);
      expect(() => encodeUtf7('bad\uDE00')).toThrow(RangeError);
    });
  });

  describe('decodeUtf7', () => {
    it.each([
      // RFC 2152 examples, including runs ended by a non-base64 character instead of '-'.
      ['A+ImIDkQ.', 'A≢Α.'],
      ['Hi Mom -+Jjo--!', 'Hi Mom -☺-!'],
      ['+ZeVnLIqe-', '日本語'],
      ['+2D3eAA.docx', '😀.docx'],
      // '+-' is a literal '+'; a '-' after a run is absorbed, a second one is literal.
      ['a+-b', 'a+b'],
      ['+AOk--x', 'é-x'],
      ['+AOk-+-', 'é+'],
      // A run may end at the end of the input.
      ['+AOk', 'é'],
      // Set O characters and '~' / '\' written directly (what lenient encoders do) are accepted.
      ['madeup_name!#$~\\.docx', 'madeup_name!#$~\\.docx'],
      ['', ''],
    ])('decodes %p as %p', (encoded, text) => {
      expect(decodeUtf7(encoded)).toBe(text);
    });

    it.each(['madeup_name.wopitestx', 'Ünïcödé 日本 😀 ∑.xlsx', 'a+b++c+-.docx', 'é', '-+-+', 'x'.repeat(300) + '日'])(
      'round-trips %p',
      (text) => {
        expect(decodeUtf7(encodeUtf7(text))).toBe(text);
      },
    );

    it.each([
      ['a+', 'empty shift sequence at the end'],
      ['a+.docx', "'+' followed by neither base64 nor '-'"],
      ['+(1).docx', "the validator's space-as-'+' form of ' (1).docx'"],
      ['+AO-', 'a truncated character'],
      ['+AOl-', 'non-zero padding bits'],
      ['+AOkA-', 'a sixth of a character left over'],
      ['é.docx', 'a non-ASCII character (raw UTF-8/Latin-1, not UTF-7)'],
      ['+2D0-', 'an unpaired high surrogate'],
      ['+3gA-', 'an unpaired low surrogate'],
    ])('rejects %p (%s)', (encoded) => {
      expect(() => decodeUtf7(encoded)).toThrow(SyntaxError);
    });
  });
});
