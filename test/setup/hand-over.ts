/**
 * A value a Jest global setup hands to its global teardown. Jest runs both in its main process but
 * loads them as separate modules, so the value waits on globalThis, under a registered symbol.
 * take() returns it once: a second teardown in the same process finds nothing left to do.
 */
export function handOver<T>(name: string): { save(state: T): void; take(): T | undefined } {
  const key = Symbol.for(`wopi-gateway.${name}`);
  const holder = globalThis as typeof globalThis & Record<symbol, T | undefined>;
  return {
    save(state) {
      holder[key] = state;
    },
    take() {
      const state = holder[key];
      delete holder[key];
      return state;
    },
  };
}
