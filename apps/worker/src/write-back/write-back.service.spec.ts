import { conflictCopyName } from './write-back.service';

describe('conflictCopyName', () => {
  it('keeps the extension and stamps the save time', () => {
    expect(conflictCopyName('Report.docx', new Date('2026-11-21T14:05:09Z'))).toBe(
      'Report (conflict 2026-11-21 1405).docx',
    );
    expect(conflictCopyName('README', new Date('2026-01-02T03:04:00Z'))).toBe('README (conflict 2026-01-02 0304)');
  });
});
