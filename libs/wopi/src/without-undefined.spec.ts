import { type CheckFileInfo } from './check-file-info';
import { withoutUndefined } from './without-undefined';

describe('withoutUndefined', () => {
  it('omits undefined properties, so that a CheckFileInfo response never carries null or an empty slot', () => {
    const info: CheckFileInfo = {
      BaseFileName: 'Report.docx',
      OwnerId: 't1:u1',
      Size: 0,
      UserId: 't1:u2',
      Version: '1',
      UserCanWrite: false,
      SupportsLocks: true,
      UserFriendlyName: undefined,
      LastModifiedTime: undefined,
      SupportedShareUrlTypes: [],
    };
    const sent = withoutUndefined(info);
    expect(sent).toEqual(info);
    expect(Object.keys(sent)).toEqual([
      'BaseFileName',
      'OwnerId',
      'Size',
      'UserId',
      'Version',
      'UserCanWrite',
      'SupportsLocks',
      'SupportedShareUrlTypes',
    ]);
    expect(JSON.stringify(sent)).not.toMatch(/null|UserFriendlyName/);
  });

  it('keeps false, 0, empty strings and arrays: they are values', () => {
    expect(withoutUndefined({ a: false, b: 0, c: '', d: [] as string[], e: undefined })).toStrictEqual({
      a: false,
      b: 0,
      c: '',
      d: [],
    });
  });
});
