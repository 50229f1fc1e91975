import { WopiHeader } from './wopi-header';

describe('WopiHeader', () => {
  it('holds lowercase, unique header names (Node lowercases incoming names)', () => {
    const names = Object.values(WopiHeader);
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9-]*$/);
    expect(new Set(names).size).toBe(names.length);
  });

  it('names the Collabora headers in both spellings', () => {
    expect(WopiHeader.CoolTimestamp).toBe('x-cool-wopi-timestamp');
    expect(WopiHeader.LoolTimestamp).toBe('x-lool-wopi-timestamp');
  });
});
