import { withoutTokens } from './validator-runs';

describe('validator output shown in the frame', () => {
  it('never shows an access token, in URLs (any encoding) or in re-run hints', () => {
    const token = 'eyJhbGciOi.eyJ0aWQiOiIw.297_h4rLj0-nE';
    const line =
      `request #2 PutRelativeFile: POST http://127.0.0.1:3000/wopi/files/abc?access_token=${token.replace(/\./g, '%2E')}` +
      '&access_token_ttl=0 -> 409 Conflict';
    expect(withoutTokens(line)).toBe(
      'request #2 PutRelativeFile: POST http://127.0.0.1:3000/wopi/files/abc?access_token=…&access_token_ttl=0 -> 409 Conflict',
    );
    expect(withoutTokens(`re-run: node cli.mjs -n X -w http://h/wopi/files/abc -t ${token} -l 0`)).toBe(
      're-run: node cli.mjs -n X -w http://h/wopi/files/abc -t … -l 0',
    );
    expect(withoutTokens(`node cli.mjs --token ${token} --token-ttl 0`)).toBe('node cli.mjs --token … --token-ttl 0');
  });
});
