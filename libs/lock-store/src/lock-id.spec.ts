import { InvalidLockIdError } from './invalid-lock-id.error';
import { assertValidLockId, lockIdProblem, MAX_LOCK_ID_LENGTH, toWopiLockHeader } from './lock-id';

describe('lockIdProblem', () => {
  it('accepts printable ASCII, tabs and spaces, up to 1024 characters', () => {
    expect(lockIdProblem('a')).toBeUndefined();
    expect(lockIdProblem('{"S":"0f1e","F":4,"E":2,"M":"x y\tz"}')).toBeUndefined();
    expect(lockIdProblem(' !~')).toBeUndefined();
    expect(lockIdProblem('x'.repeat(MAX_LOCK_ID_LENGTH))).toBeUndefined();
  });

  it('refuses an empty ID (spec: 400 when X-WOPI-Lock is empty)', () => {
    expect(lockIdProblem('')).toBe('empty');
  });

  it('refuses more than 1024 characters', () => {
    expect(MAX_LOCK_ID_LENGTH).toBe(1024);
    expect(lockIdProblem('x'.repeat(MAX_LOCK_ID_LENGTH + 1))).toBe('too-long');
  });

  it.each([
    ['Latin-1', 'caf\u00e9'],
    ['BMP', 'lock-\u4e2d'],
    ['astral (surrogate pair)', 'lock-\u{1f512}'],
    ['NUL', 'a\u0000b'],
    ['CR LF (header injection)', 'a\r\nX-Evil: 1'],
    ['DEL', 'a\u007f'],
  ])('refuses non-ASCII or control characters: %s', (_name, lockId) => {
    expect(lockIdProblem(lockId)).toBe('not-ascii');
  });

  it('counts UTF-16 code units, so the ASCII check and the length check agree', () => {
    // 1024 ASCII characters is 1024 code units; anything outside ASCII is refused anyway.
    expect(lockIdProblem('\u{1f512}'.repeat(512))).toBe('not-ascii');
  });
});

describe('assertValidLockId', () => {
  it('throws InvalidLockIdError naming the argument and the problem', () => {
    expect(() => assertValidLockId('', 'oldLockId')).toThrow(InvalidLockIdError);
    expect(() => assertValidLockId('x'.repeat(1025), 'newLockId')).toThrow(
      expect.objectContaining({ problem: 'too-long', argument: 'newLockId', name: 'InvalidLockIdError' }),
    );
  });

  it('passes a valid ID', () => {
    expect(() => assertValidLockId('abc')).not.toThrow();
  });
});

describe('toWopiLockHeader', () => {
  it('passes a representable lock through', () => {
    expect(toWopiLockHeader('abc')).toBe('abc');
  });

  it("turns an unrepresentable lock into '' (no_lock_id fragment)", () => {
    expect(toWopiLockHeader('x'.repeat(1025))).toBe('');
    expect(toWopiLockHeader('caf\u00e9')).toBe('');
  });
});
