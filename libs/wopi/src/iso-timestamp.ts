import { toDotNetTicks } from './dotnet-ticks';

// ISO 8601 "round-trip" timestamps, the format of CheckFileInfo's LastModifiedTime: UTC,
// "2009-06-15T13:45:30.0000000Z" (CheckFileInfo.rst), and of Collabora's X-COOL-WOPI-Timestamp.

const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** An instant in .NET's round-trip format: UTC, seven fractional digits, "2009-06-15T13:45:30.1230000Z". */
export function toIsoRoundTrip(instant: Date | number): string {
  const date = typeof instant === 'number' ? new Date(instant) : instant;
  if (Number.isNaN(date.getTime())) throw new RangeError('Invalid date');
  // toISOString() always ends in ".sssZ"; the round-trip format has 100 ns ticks, so four more
  // zeros before the Z. (Sliced, not a regex replace: CheckFileInfo formats this on every request.)
  const iso = date.toISOString();
  return `${iso.slice(0, -1)}0000Z`;
}

/**
 * The instant of an ISO 8601 timestamp with date, time and zone ("Z" or ±hh:mm), as .NET ticks so
 * that 100 ns precision survives; up to 9 fractional digits (digits beyond the 7th are dropped).
 * Undefined for anything else, including local times without a zone and years before 100.
 */
export function parseIsoTimestamp(text: string): bigint | undefined {
  const match = ISO_TIMESTAMP.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const fraction = match[7] ?? '';
  const offsetMinutes = zoneOffsetMinutes(match[8]);
  const epochMs = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 2024-02-30 over to March (and maps years 0..99 to 19xx): if a field changed, the
  // text was not a valid date.
  const check = new Date(epochMs);
  const fieldsSurvive =
    check.getUTCFullYear() === year &&
    check.getUTCMonth() === month - 1 &&
    check.getUTCDate() === day &&
    check.getUTCHours() === hour &&
    check.getUTCMinutes() === minute &&
    check.getUTCSeconds() === second;
  if (!fieldsSurvive || offsetMinutes === undefined) return undefined;
  const fractionTicks = BigInt(fraction.padEnd(7, '0').slice(0, 7));
  return toDotNetTicks(epochMs - offsetMinutes * 60_000) + fractionTicks;
}

/**
 * Whether two timestamps name the same instant, at 100 ns precision; an unparsable string matches
 * nothing. For Collabora's PutFile check: X-COOL-WOPI-Timestamp against the stored LastModifiedTime.
 */
export function isSameInstant(a: string | Date, b: string | Date): boolean {
  const ticksA = typeof a === 'string' ? parseIsoTimestamp(a) : ticksOfDate(a);
  const ticksB = typeof b === 'string' ? parseIsoTimestamp(b) : ticksOfDate(b);
  return ticksA !== undefined && ticksB !== undefined && ticksA === ticksB;
}

function ticksOfDate(date: Date): bigint | undefined {
  return Number.isNaN(date.getTime()) ? undefined : toDotNetTicks(date);
}

/** Minutes east of UTC of a "Z" or ±hh:mm zone; undefined when out of range (beyond ±14:00). */
function zoneOffsetMinutes(zone: string): number | undefined {
  if (zone === 'Z') return 0;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (hours > 14 || minutes > 59) return undefined;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}
