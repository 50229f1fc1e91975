// Jest globalTeardown: drops the run's test database and stops the servers global-setup started.
import { rmSync } from 'node:fs';
import { dropDatabase } from '../../scripts/infra/index.cjs';
import { takeTestInfraState } from './test-infra-state';

export default async function globalTeardown(): Promise<void> {
  if (process.env.WOPI_TEST_STAGING_DIR) rmSync(process.env.WOPI_TEST_STAGING_DIR, { recursive: true, force: true });
  const state = takeTestInfraState();
  if (state === undefined) return;
  try {
    await dropDatabase(state.adminDatabaseUrl, state.databaseName);
  } finally {
    // Reverse start order; servers we found running are left alone (their stop() is a no-op).
    for (const server of [...state.servers].reverse()) await server.stop();
  }
}
