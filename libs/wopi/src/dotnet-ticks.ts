// .NET DateTime ticks: 100-nanosecond intervals since 0001-01-01T00:00:00Z. X-WOPI-TimeStamp carries
// them ("DateTime.UtcNow.Ticks", rest/common_headers.rst), and so do the signed bytes of a proof.

/** 10 000 ticks of 100 ns make a millisecond. */
export const DOTNET_TICKS_PER_MILLISECOND = 10_000n;

/** 1970-01-01T00:00:00Z in .NET ticks. */
export const DOTNET_TICKS_AT_UNIX_EPOCH = 621_355_968_000_000_000n;

/** The largest DateTime (9999-12-31T23:59:59.9999999Z) in ticks. */
export const DOTNET_MAX_TICKS = 3_155_378_975_999_999_999n;

/** .NET ticks of an instant given as a Date or as milliseconds since the Unix epoch. */
export function toDotNetTicks(instant: Date | number): bigint {
  const epochMs = typeof instant === 'number' ? instant : instant.getTime();
  if (!Number.isInteger(epochMs)) throw new RangeError(`Not a whole number of milliseconds: ${epochMs}`);
  return BigInt(epochMs) * DOTNET_TICKS_PER_MILLISECOND + DOTNET_TICKS_AT_UNIX_EPOCH;
}

/** Milliseconds since the Unix epoch of a tick count, rounded down to the millisecond. */
export function epochMsFromDotNetTicks(ticks: bigint): number {
  const sinceEpoch = ticks - DOTNET_TICKS_AT_UNIX_EPOCH;
  // BigInt division truncates towards zero; floor it so that instants before 1970 round down too.
  const quotient = sinceEpoch / DOTNET_TICKS_PER_MILLISECOND;
  return Number(sinceEpoch % DOTNET_TICKS_PER_MILLISECOND < 0n ? quotient - 1n : quotient);
}

/** The Date of a tick count (millisecond precision). */
export function dateFromDotNetTicks(ticks: bigint): Date {
  return new Date(epochMsFromDotNetTicks(ticks));
}
