import { DemoCoreErrorCode, InvalidNameReason } from '../demo-core.error';
import { MAX_NAME_LENGTH, nameKey, splitExtension, suggestFreeName, validateFileName } from './file-name';

describe('validateFileName', () => {
  it.each(['Report.docx', 'Meeting notes.odt', 'Ünïcödé – 2024.xlsx', '.hidden', 'no extension', 'a'])(
    'accepts %j',
    (name) => {
      expect(() => validateFileName(name)).not.toThrow();
    },
  );

  it.each<[string, InvalidNameReason]>([
    ['', InvalidNameReason.Empty],
    ['   ', InvalidNameReason.Empty],
    [`${'x'.repeat(MAX_NAME_LENGTH)}.docx`, InvalidNameReason.TooLong],
    ['a/b.docx', InvalidNameReason.InvalidCharacter],
    ['a\\b.docx', InvalidNameReason.InvalidCharacter],
    ['what?.docx', InvalidNameReason.InvalidCharacter],
    ['tab\there.docx', InvalidNameReason.InvalidCharacter],
    ['..', InvalidNameReason.ReservedName],
    ['CON.docx', InvalidNameReason.ReservedName],
    ['lpt1', InvalidNameReason.ReservedName],
    ['Report.docx.', InvalidNameReason.InvalidEnding],
    ['Report.docx ', InvalidNameReason.InvalidEnding],
    [' Report.docx', InvalidNameReason.InvalidEnding],
  ])('refuses %j as %s', (name, reason) => {
    expect(() => validateFileName(name)).toThrow(
      expect.objectContaining({ code: DemoCoreErrorCode.InvalidName, details: { reason } }),
    );
  });

  it('counts characters, not UTF-16 units', () => {
    expect(() => validateFileName('😀'.repeat(MAX_NAME_LENGTH))).not.toThrow();
  });
});

describe('nameKey', () => {
  it('ignores case and Unicode normalisation form', () => {
    expect(nameKey('Report.DOCX')).toBe(nameKey('report.docx'));
    expect(nameKey('Cafe\u0301.docx')).toBe(nameKey('Café.docx'));
  });
});

describe('splitExtension', () => {
  it.each([
    ['Report.docx', 'Report', '.docx'],
    ['archive.tar.gz', 'archive.tar', '.gz'],
    ['.hidden', '.hidden', ''],
    ['README', 'README', ''],
  ])('%s -> %s + %s', (name, base, extension) => {
    expect(splitExtension(name)).toEqual({ base, extension });
  });
});

describe('suggestFreeName', () => {
  it('adds a counter before the extension', () => {
    expect(suggestFreeName('Report.docx', () => false)).toBe('Report (1).docx');
  });

  it('skips names that are taken', () => {
    const taken = new Set(['Report (1).docx', 'Report (2).docx']);
    expect(suggestFreeName('Report.docx', (name) => taken.has(name))).toBe('Report (3).docx');
  });

  it('bumps an existing counter instead of stacking another', () => {
    expect(suggestFreeName('Report (4).docx', () => false)).toBe('Report (5).docx');
  });

  it('stays a valid name when the original is as long as allowed', () => {
    const long = `${'x'.repeat(MAX_NAME_LENGTH - 5)}.docx`;
    const suggestion = suggestFreeName(long, () => false);
    expect([...suggestion].length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
    expect(suggestion.endsWith(' (1).docx')).toBe(true);
    expect(() => validateFileName(suggestion)).not.toThrow();
  });
});
