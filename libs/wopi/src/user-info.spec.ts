import { parseUserInfo, USER_INFO_MAX_BYTES } from './user-info';
import { WopiErrorCode } from './wopi-error';

describe('parseUserInfo', () => {
  it('returns the body as text', () => {
    expect(parseUserInfo(Buffer.from('{"a":1}'))).toBe('{"a":1}');
    expect(parseUserInfo('x'.repeat(USER_INFO_MAX_BYTES))).toHaveLength(1024);
    expect(parseUserInfo('')).toBe('');
  });

  it('refuses more than 1024 bytes (PutUserInfo.rst) and bytes that are not UTF-8', () => {
    expect(() => parseUserInfo('x'.repeat(1025))).toThrow(expect.objectContaining({ code: WopiErrorCode.BadRequest }));
    expect(() => parseUserInfo('é'.repeat(513))).toThrow(/longer than 1024 bytes/);
    expect(() => parseUserInfo(Buffer.from([0xc3, 0x28]))).toThrow(/UTF-8/);
  });
});
