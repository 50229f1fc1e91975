import {
  FILE_NAME_MAX_LENGTH,
  fileNameProblem,
  isValidFileName,
  numberedFileName,
  renamedFileName,
  splitFileName,
  suggestedTargetToName,
  toValidFileName,
} from './file-name';

describe('file names', () => {
  describe('splitFileName', () => {
    it.each([
      ['report.docx', 'report', '.docx'],
      ['archive.tar.gz', 'archive.tar', '.gz'],
      ['README', 'README', ''],
      ['.wopitestx', '', '.wopitestx'],
      ['trailing.', 'trailing.', ''],
      ['', '', ''],
    ])('splits %p into %p + %p', (name, baseName, extension) => {
      expect(splitFileName(name)).toEqual({ baseName, extension });
    });
  });

  describe('suggestedTargetToName', () => {
    it('applies an extension-only suggestion to the current base name (PutRelativeFile.rst)', () => {
      expect(suggestedTargetToName('ValidatorTestFile.wopitest', '.wopitestx')).toBe('ValidatorTestFile.wopitestx');
      expect(suggestedTargetToName('Budget.2024.xls', '.xlsx')).toBe('Budget.2024.xlsx');
      expect(suggestedTargetToName('README', '.txt')).toBe('README.txt');
    });

    it('takes anything else as the full name', () => {
      expect(suggestedTargetToName('ValidatorTestFile.wopitest', 'madeupname.wopitest')).toBe('madeupname.wopitest');
      expect(suggestedTargetToName('a.docx', 'noextension')).toBe('noextension');
    });
  });

  it('renamedFileName keeps the current extension (RenameFile.rst: the requested name has none)', () => {
    expect(renamedFileName('ValidatorTestFile.wopitest', 'ValidatorTestFileRenamed')).toBe(
      'ValidatorTestFileRenamed.wopitest',
    );
    expect(renamedFileName('README', 'NOTES')).toBe('NOTES');
  });

  describe('fileNameProblem', () => {
    it.each([
      'report.docx',
      'madeup_name.wopitestx',
      'Résumé 日本語 😀.docx',
      'a.b.c.xlsx',
      'CONTRACT.docx',
      'con-notes.docx',
      '#1 [draft] 50%.docx',
      `${'x'.repeat(FILE_NAME_MAX_LENGTH)}.docx`,
    ])('accepts %p', (name) => {
      expect(fileNameProblem(name)).toBeUndefined();
      expect(isValidFileName(name)).toBe(true);
    });

    it.each([
      ['', /empty/],
      ['bad\uD83D.docx', /unpaired surrogate/],
      ['tab\there.docx', /control character U\+0009/],
      ['del\u007f.docx', /U\+007F/],
      ['a/b.docx', /contains '\/'/],
      ['a\\b.docx', /contains '\\'/],
      ['what?.docx', /contains '\?'/],
      ['x:y.docx', /contains ':'/],
      ['"quoted".docx', /contains '"'/],
      ['a<b>c|d*.docx', /contains '</],
      [' leading.docx', /starts with a space or a dot/],
      ['.hidden', /starts with a space or a dot/],
      ['trailing.docx ', /ends with a space or a dot/],
      ['trailing.', /ends with a space or a dot/],
      ['CON', /reserved device name CON/],
      ['con.txt', /reserved device name CON/],
      ['Nul .tar.gz', /reserved device name NUL/],
      ['COM1.docx', /COM1/],
      ['lpt9', /LPT9/],
      ['my_vti_file.docx', /_vti_/],
      ['~$report.docx', /owner files/],
      ['Desktop.INI', /desktop\.ini/],
      [`${'x'.repeat(FILE_NAME_MAX_LENGTH + 1)}.docx`, /longer than 250 characters/],
    ])('refuses %p', (name, reason) => {
      expect(fileNameProblem(name)).toMatch(reason);
      expect(isValidFileName(name)).toBe(false);
    });

    it('counts the limit without the extension and honours a host-specific limit', () => {
      expect(fileNameProblem('abcdef.docx', { maxBaseNameLength: 6 })).toBeUndefined();
      expect(fileNameProblem('abcdefg.docx', { maxBaseNameLength: 6 })).toMatch(/longer than 6/);
    });

    it("refuses the validator's 550-character name (FileNameLongerThan512Chars accepts 200 or 400)", () => {
      expect(fileNameProblem(`${'longwopitestfilename'.repeat(28)}.wopitestx`)).toMatch(/longer than/);
    });

    it('gives reasons that can travel in an HTTP header (printable ASCII, the name not echoed)', () => {
      for (const name of ['日本\u0001.docx', 'é:è.docx', 'x\uD800', `${'é'.repeat(300)}.docx`]) {
        expect(fileNameProblem(name)).toMatch(/^[\x20-\x7e]+$/);
      }
    });
  });

  describe('toValidFileName', () => {
    it.each([
      ['report.docx', 'report.docx'],
      ['a/b\\c:d*e?f"g<h>i|j.docx', 'a-b-c-d-e-f-g-h-i-j.docx'],
      ['tab\there\u0000.docx', 'tab-here-.docx'],
      ['  .hidden report. .docx ', 'hidden report.docx'],
      ['.docx', 'Document.docx'],
      ['...', 'Document'],
      ['CON.txt', 'CON_.txt'],
      ['con.tar.gz', 'con_.tar.gz'],
      ['desktop.ini', 'desktop_.ini'],
      ['~$owner.docx', '~-owner.docx'],
      ['x_vti_y.docx', 'x_vti-y.docx'],
      ['bad\uD83D.docx', 'bad-.docx'],
    ])('turns %p into %p', (name, valid) => {
      expect(toValidFileName(name)).toBe(valid);
    });

    it('keeps the extension when it shortens a long base name, without splitting a surrogate pair', () => {
      const name = toValidFileName(`${'a'.repeat(9)}😀😀.docx`, { maxBaseNameLength: 10 });
      expect(name).toBe(`${'a'.repeat(9)}.docx`);
      expect(toValidFileName(`${'b'.repeat(400)}.xlsx`)).toBe(`${'b'.repeat(FILE_NAME_MAX_LENGTH)}.xlsx`);
    });

    it('always returns a valid name', () => {
      const alphabet = [
        'a',
        'Z',
        '0',
        ' ',
        '.',
        '_',
        '~',
        '$',
        '/',
        '\\',
        ':',
        '*',
        '?',
        '"',
        '<',
        '>',
        '|',
        '\u0001',
        'é',
        '日',
        '😀',
        '\uD800',
        'CON',
        'vti',
      ];
      let seed = 42;
      const random = (n: number): number => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      for (let i = 0; i < 2000; i += 1) {
        const length = random(12);
        const name = Array.from({ length }, () => alphabet[random(alphabet.length)]).join('');
        const valid = toValidFileName(name, { maxBaseNameLength: 8 });
        expect([name, fileNameProblem(valid, { maxBaseNameLength: 8 })]).toEqual([name, undefined]);
      }
    });
  });

  describe('numberedFileName', () => {
    it('numbers before the extension', () => {
      expect(numberedFileName('madeupname.wopitest', 2)).toBe('madeupname (2).wopitest');
      expect(numberedFileName('README', 3)).toBe('README (3)');
    });

    it('shortens the base name so the result stays within the limit', () => {
      const name = numberedFileName(`${'x'.repeat(FILE_NAME_MAX_LENGTH)}.docx`, 12);
      expect(name).toBe(`${'x'.repeat(FILE_NAME_MAX_LENGTH - 5)} (12).docx`);
      expect(isValidFileName(name)).toBe(true);
    });
  });
});
