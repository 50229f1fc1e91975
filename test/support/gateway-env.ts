import { ApiEnv, loadEnv, WorkerEnv } from '@wopi/tenancy';

/** Env of an api built inside a test: the run's Redis and database, its own queue prefix. */
export function testApiEnv(overrides: Record<string, string> = {}): ApiEnv {
  return loadEnv(ApiEnv, { ...baseTestEnv(), PUBLIC_BASE_URL: 'http://wopi.test', ...overrides });
}

export function testWorkerEnv(overrides: Record<string, string> = {}): WorkerEnv {
  return loadEnv(WorkerEnv, { ...baseTestEnv(), ...overrides });
}

/** Variables for a gateway process spawned by a test (same database, Redis and prefix). */
export function baseTestEnv(): Record<string, string> {
  const { DATABASE_URL, REDIS_URL, WOPI_TEST_RUN_ID, WOPI_TEST_STAGING_DIR } = process.env;
  if (!DATABASE_URL || !REDIS_URL || !WOPI_TEST_RUN_ID || !WOPI_TEST_STAGING_DIR)
    throw new Error('run through Jest: test/setup/global-setup.ts prepares the databases');
  return {
    NODE_ENV: 'test',
    DATABASE_URL,
    REDIS_URL,
    QUEUE_PREFIX: `wopi-test-${WOPI_TEST_RUN_ID}`,
    BLOB_STAGING_DIR: WOPI_TEST_STAGING_DIR,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  };
}
