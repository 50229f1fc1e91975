/**
 * A shallow copy without the properties whose value is undefined. WOPI JSON must omit a property
 * rather than send it as null, so that clients apply its default (_fragments/param_types.rst); build
 * a response with optional fields, then send withoutUndefined(response).
 *
 * A plain loop: CheckFileInfo calls this on every request with ~60 properties, and the
 * entries/filter/fromEntries form cost 3 % of a CheckFileInfo's CPU in the benchmark's profile.
 */
export function withoutUndefined<T extends object>(value: T): T {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    if (field !== undefined) copy[key] = field;
  }
  return copy as T;
}
