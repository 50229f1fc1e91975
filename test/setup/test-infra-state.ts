import type { InfraServer } from '../../scripts/infra/index.cjs';
import { handOver } from './hand-over';

/** What global-setup hands to global-teardown; Jest runs both in its main process. */
export interface TestInfraState {
  /** Server-level URL the test database was created from. */
  adminDatabaseUrl: string;
  databaseName: string;
  /** Redis and PostgreSQL, in start order; stop() is a no-op for servers we did not start. */
  servers: InfraServer[];
}

const state = handOver<TestInfraState>('test-infra');

export const saveTestInfraState = state.save;
/** Returns the state once; a second teardown in the same process finds nothing left to do. */
export const takeTestInfraState = state.take;
