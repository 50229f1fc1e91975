/**
 * A shallow copy without the properties whose value is undefined. WOPI JSON must omit a property
 * rather than send it as null, so that clients apply its default (_fragments/param_types.rst); build
 * a response with optional fields, then send withoutUndefined(response).
 */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
