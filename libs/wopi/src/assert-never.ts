/** Compile-time exhaustiveness for switches over unions; throws if a value slips through at runtime. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
