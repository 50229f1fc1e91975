import { ApiEnv, loadEnv, WorkerEnv } from '@wopi/tenancy';

/** Env of an api built inside a test: the run's Redis and database, its own queue prefix. */
export function testApiEnv(overrides: Record<string, string> = {}): ApiEnv {
  return loadEnv(ApiEnv, {
    ...baseTestEnv(),
    LOG_LEVEL: inProcessLogLevel(),
    PUBLIC_BASE_URL: 'http://wopi.test',
    ...overrides,
  });
}

export function testWorkerEnv(overrides: Record<string, string> = {}): WorkerEnv {
  const base = baseTestEnv();
  const env = loadEnv(WorkerEnv, { ...base, LOG_LEVEL: inProcessLogLevel(), ...overrides });
  // Every worker relays the one database's outbox, so a worker with a staging folder of its own
  // would take other tests' write-backs and look for (or delete) their blobs in the wrong place,
  // and would race the run's workers for housekeeping jobs. Such a worker is a separate deployment.
  // A worker on an S3 store is such a deployment too.
  if (env.BLOB_STAGING_DIR !== base.BLOB_STAGING_DIR || env.BLOB_STAGING_DRIVER !== 'local') {
    if (env.WORKER_JOBS.includes('write-back') || env.QUEUE_PREFIX === base.QUEUE_PREFIX)
      throw new Error(
        'a test worker with its own staging (BLOB_STAGING_DIR or S3) needs its own QUEUE_PREFIX and no write-back jobs',
      );
  }
  return env;
}

/** Variables for a gateway process spawned by a test (same database, Redis, prefix and secrets). */
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
    // `info`, as in production: every line the gateway writes reaches the run's log directory,
    // where the whole-run secret scan reads it (test/setup/run-log-check.ts). A spawned process's
    // stdout goes to its test, not to the terminal.
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
    // Every core app and WOPI client of a test runs on loopback.
    EGRESS_ALLOW_PRIVATE_NETWORKS: 'true',
    ...testSecrets(),
  };
}

/**
 * Log level of an app built inside a test: it writes to the Jest worker's stdout, which
 * test/setup/run-log-tee.cjs sends to the run's log directory alone, so `info` (scanned for secrets
 * with the rest of the run). In Jest's own process (a run in band) that stdout is the terminal:
 * such an app stays silent rather than flood it. TEST_LOG_LEVEL overrides both.
 */
function inProcessLogLevel(): string {
  return process.env.TEST_LOG_LEVEL ?? (process.env.WOPI_TEST_STDOUT_IN_RUN_LOG === '1' ? 'info' : 'silent');
}

/** The run's secrets, generated once by the global set-up: every api and worker of a run shares them. */
export function testSecrets(): { SECRETS_ENCRYPTION_KEY: string; ACCESS_TOKEN_SIGNING_KEY: string } {
  const { WOPI_TEST_SECRETS_ENCRYPTION_KEY, WOPI_TEST_ACCESS_TOKEN_SIGNING_KEY } = process.env;
  if (!WOPI_TEST_SECRETS_ENCRYPTION_KEY || !WOPI_TEST_ACCESS_TOKEN_SIGNING_KEY)
    throw new Error('run through Jest: test/setup/global-setup.ts generates the secrets');
  return {
    SECRETS_ENCRYPTION_KEY: WOPI_TEST_SECRETS_ENCRYPTION_KEY,
    ACCESS_TOKEN_SIGNING_KEY: WOPI_TEST_ACCESS_TOKEN_SIGNING_KEY,
  };
}
