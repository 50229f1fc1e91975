import { isSameInstant, parseIsoTimestamp, toIsoRoundTrip } from './iso-timestamp';
import { toDotNetTicks } from './dotnet-ticks';

describe('ISO 8601 round-trip timestamps', () => {
  it('formats UTC with seven fractional digits, like CheckFileInfo.rst\'s "2009-06-15T13:45:30.0000000Z"', () => {
    expect(toIsoRoundTrip(new Date('2009-06-15T13:45:30Z'))).toBe('2009-06-15T13:45:30.0000000Z');
    expect(toIsoRoundTrip(Date.UTC(2026, 10, 21, 8, 5, 9, 123))).toBe('2026-11-21T08:05:09.1230000Z');
    expect(() => toIsoRoundTrip(new Date('nope'))).toThrow(RangeError);
  });

  it('parses to .NET ticks, keeping 100 ns precision', () => {
    const base = toDotNetTicks(Date.UTC(2009, 5, 15, 13, 45, 30));
    expect(parseIsoTimestamp('2009-06-15T13:45:30.0000000Z')).toBe(base);
    expect(parseIsoTimestamp('2009-06-15T13:45:30Z')).toBe(base);
    expect(parseIsoTimestamp('2009-06-15T13:45:30.1234567Z')).toBe(base + 1_234_567n);
    expect(parseIsoTimestamp('2009-06-15T13:45:30.123456789Z')).toBe(base + 1_234_567n);
    expect(parseIsoTimestamp('2009-06-15T15:45:30+02:00')).toBe(base);
    expect(parseIsoTimestamp('2009-06-15T10:15:30-03:30')).toBe(base);
  });

  it.each([
    '',
    'yesterday',
    '2009-06-15',
    '2009-06-15T13:45:30',
    '2009-06-15 13:45:30Z',
    '2009-02-30T00:00:00Z',
    '2009-06-15T24:00:00Z',
    '2009-06-15T13:45:30+15:00',
    '0099-01-01T00:00:00Z',
  ])('refuses %p', (text) => {
    expect(parseIsoTimestamp(text)).toBeUndefined();
  });

  describe('isSameInstant (Collabora X-COOL-WOPI-Timestamp against LastModifiedTime)', () => {
    const stored = new Date('2026-11-21T08:05:09.123Z');

    it('matches the value we sent, in any precision or zone notation', () => {
      expect(isSameInstant(toIsoRoundTrip(stored), stored)).toBe(true);
      expect(isSameInstant('2026-11-21T08:05:09.123Z', stored)).toBe(true);
      expect(isSameInstant('2026-11-21T09:05:09.123000+01:00', toIsoRoundTrip(stored))).toBe(true);
    });

    it('does not match another instant, however close, nor anything unparsable', () => {
      expect(isSameInstant('2026-11-21T08:05:09.1230001Z', stored)).toBe(false);
      expect(isSameInstant('2026-11-21T08:05:09.124Z', stored)).toBe(false);
      expect(isSameInstant('', stored)).toBe(false);
      expect(isSameInstant('garbage', 'garbage')).toBe(false);
      expect(isSameInstant(new Date(Number.NaN), new Date(Number.NaN))).toBe(false);
    });
  });
});
