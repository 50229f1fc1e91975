import { DOTNET_TICKS_AT_UNIX_EPOCH, dateFromDotNetTicks, epochMsFromDotNetTicks, toDotNetTicks } from './dotnet-ticks';

describe('.NET ticks', () => {
  it('counts 100 ns since 0001-01-01 UTC', () => {
    expect(toDotNetTicks(0)).toBe(DOTNET_TICKS_AT_UNIX_EPOCH);
    // DateTime(2015, 8, 17, 0, 0, 0, DateTimeKind.Utc).Ticks, computed independently with Python's datetime
    expect(toDotNetTicks(new Date('2015-08-17T00:00:00Z'))).toBe(635753664000000000n);
    expect(toDotNetTicks(new Date('0001-01-01T00:00:00Z'))).toBe(0n);
  });

  it('converts back to milliseconds, rounding down', () => {
    expect(epochMsFromDotNetTicks(635753664000000000n)).toBe(Date.UTC(2015, 7, 17));
    expect(epochMsFromDotNetTicks(DOTNET_TICKS_AT_UNIX_EPOCH + 19_999n)).toBe(1);
    expect(epochMsFromDotNetTicks(DOTNET_TICKS_AT_UNIX_EPOCH - 1n)).toBe(-1);
    expect(dateFromDotNetTicks(toDotNetTicks(Date.UTC(2026, 10, 21, 12, 34, 56, 789))).toISOString()).toBe(
      '2026-11-21T12:34:56.789Z',
    );
  });

  it('refuses fractions of a millisecond', () => {
    expect(() => toDotNetTicks(1.5)).toThrow(RangeError);
    expect(() => toDotNetTicks(new Date(Number.NaN))).toThrow(RangeError);
  });
});
