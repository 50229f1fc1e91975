import { lockKey } from './lock-key';

describe('lockKey', () => {
  it('is wopi:lock:{<tenantId>:<fileId>}', () => {
    expect(lockKey('0196a1b2-0000-7000-8000-000000000001', 'AbC-_123')).toBe(
      'wopi:lock:{0196a1b2-0000-7000-8000-000000000001:AbC-_123}',
    );
  });

  it('hash-tags the whole tenant and file pair, so Redis Cluster places one file on one slot', () => {
    const key = lockKey('t1', 'f1');
    // Redis Cluster hashes the text between the first "{" and the next "}".
    expect(key.slice(key.indexOf('{') + 1, key.indexOf('}'))).toBe('t1:f1');
  });

  it.each([
    ['empty tenant', '', 'f'],
    ['empty file', 't', ''],
    ['colon in tenant (ambiguous pair)', 'a:b', 'c'],
    ['colon in file (ambiguous pair)', 'a', 'b:c'],
    ['brace in tenant (moves the hash tag)', 't}', 'f'],
    ['brace in file', 't', '{f'],
  ])('refuses %s', (_name, tenantId, fileId) => {
    expect(() => lockKey(tenantId, fileId)).toThrow(TypeError);
  });
});
