import type { InfraServer } from '../../scripts/infra/index.cjs';

/** What global-setup hands to global-teardown; Jest runs both in its main process. */
export interface TestInfraState {
  /** Server-level URL the test database was created from. */
  adminDatabaseUrl: string;
  databaseName: string;
  /** Redis and PostgreSQL, in start order; stop() is a no-op for servers we did not start. */
  servers: InfraServer[];
}

const STATE_KEY = Symbol.for('wopi-gateway.test-infra');

type GlobalWithState = typeof globalThis & { [STATE_KEY]?: TestInfraState };

export function saveTestInfraState(state: TestInfraState): void {
  (globalThis as GlobalWithState)[STATE_KEY] = state;
}

/** Returns the state once; a second teardown in the same process finds nothing left to do. */
export function takeTestInfraState(): TestInfraState | undefined {
  const holder = globalThis as GlobalWithState;
  const state = holder[STATE_KEY];
  delete holder[STATE_KEY];
  return state;
}
