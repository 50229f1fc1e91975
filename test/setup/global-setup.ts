// Jest globalSetup of the integration, e2e and model projects (jest.config.js; never run for unit
// tests alone): one Redis and one freshly migrated PostgreSQL database for the whole run
// (../shared/STYLE.md "Tests"). Test files read them from REDIS_URL and DATABASE_URL.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import {
  createDatabase,
  dropDatabase,
  ensurePostgres,
  ensureRedis,
  type InfraServer,
} from '../../scripts/infra/index.cjs';
import { saveTestInfraState } from './test-infra-state';

const REPO_ROOT = path.resolve(__dirname, '../..');
// Private servers keep their data here between runs, so only the first run pays for initdb.
const PRIVATE_DATA_DIR = path.join(REPO_ROOT, '.local', 'test-infra');
const MIGRATE_SCRIPT = path.join(REPO_ROOT, 'scripts', 'prisma-migrate.mjs');
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
const TEST_DATABASE_PREFIX = 'wopi_test_';
const TEST_DATABASE_NAME = /^wopi_test_(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})_[0-9a-f]+$/;
// A run killed before its teardown leaves its database behind; after a day it is surely dead.
const STALE_TEST_DATABASE_AGE_MS = 24 * 60 * 60 * 1000;
const MIGRATE_TIMEOUT_MS = 120_000;

const log = (line: string): void => console.error(`[test-infra] ${line}`);

export default async function globalSetup(): Promise<void> {
  const servers = await startServers();
  const [redis, postgres] = servers;
  const adminDatabaseUrl = postgres.url;
  const databaseName = newTestDatabaseName();
  let databaseUrl: string | undefined;
  try {
    assertIsTestDatabase(databaseName);
    await dropStaleTestDatabases(adminDatabaseUrl);
    databaseUrl = await createDatabase(adminDatabaseUrl, databaseName);
    await migrate(databaseUrl);
  } catch (error) {
    // Jest skips globalTeardown when globalSetup fails, so undo here what teardown would have.
    if (databaseUrl !== undefined) await dropDatabase(adminDatabaseUrl, databaseName).catch(() => undefined);
    await Promise.allSettled(servers.map((server) => server.stop()));
    throw error;
  }
  log(`database ${databaseName} ready`);

  saveTestInfraState({ adminDatabaseUrl, databaseName, servers });
  // Jest starts its workers after globalSetup, so they inherit these.
  process.env.REDIS_URL = redis.url;
  process.env.DATABASE_URL = databaseUrl;
  process.env.WOPI_TEST_ADMIN_DATABASE_URL = adminDatabaseUrl;
  // Prefix for Redis keys and queue names: several runs may share one Redis.
  process.env.WOPI_TEST_RUN_ID = randomBytes(4).toString('hex');
  // One staging folder for every api and worker of the run, as in production (a shared volume):
  // any worker may pick up any save's write-back.
  process.env.WOPI_TEST_STAGING_DIR = mkdtempSync(path.join(tmpdir(), 'wopi-test-staging-'));
  // The gateway has no default secrets: each run makes its own (test/support/gateway-env.ts).
  process.env.WOPI_TEST_SECRETS_ENCRYPTION_KEY = randomBytes(32).toString('base64');
  process.env.WOPI_TEST_ACCESS_TOKEN_SIGNING_KEY = randomBytes(32).toString('base64url');
}

/** Redis and PostgreSQL side by side; if one fails, the other is stopped before the error surfaces. */
async function startServers(): Promise<[InfraServer, InfraServer]> {
  const results = await Promise.allSettled([
    ensureRedis({
      url: process.env.REDIS_URL || DEFAULT_REDIS_URL,
      dataDir: path.join(PRIVATE_DATA_DIR, 'redis'),
      // Any free port: a demo may be running on the default private ports.
      preferredPort: 0,
      log,
    }),
    ensurePostgres({
      url: process.env.DATABASE_URL || DEFAULT_DATABASE_URL,
      dataDir: path.join(PRIVATE_DATA_DIR, 'postgres'),
      preferredPort: 0,
      log,
    }),
  ]);
  const [redis, postgres] = results;
  if (redis.status === 'fulfilled' && postgres.status === 'fulfilled') return [redis.value, postgres.value];
  await Promise.allSettled(results.map((result) => (result.status === 'fulfilled' ? result.value.stop() : undefined)));
  throw results.find((result) => result.status === 'rejected')?.reason;
}

/** wopi_test_<UTC yyyymmddhhmmss>_<random>: unique per run, and its age can be read back. */
function newTestDatabaseName(): string {
  const timestamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  return `${TEST_DATABASE_PREFIX}${timestamp}_${randomBytes(3).toString('hex')}`;
}

/** The guard STYLE.md asks for: never create, migrate or later drop a database not meant for tests. */
function assertIsTestDatabase(name: string): void {
  if (!name.includes('test')) {
    throw new Error(`Refusing to prepare database "${name}": a test database name must contain "test".`);
  }
}

async function dropStaleTestDatabases(adminDatabaseUrl: string): Promise<void> {
  const client = new Client({ connectionString: adminDatabaseUrl });
  await client.connect();
  let names: string[];
  try {
    names = (await client.query<{ datname: string }>('SELECT datname FROM pg_database')).rows.map((row) => row.datname);
  } finally {
    await client.end();
  }
  const stale = names.filter((name) => {
    const createdAt = createdAtOfTestDatabase(name);
    return createdAt !== undefined && Date.now() - createdAt > STALE_TEST_DATABASE_AGE_MS;
  });
  for (const name of stale) {
    assertIsTestDatabase(name);
    await dropDatabase(adminDatabaseUrl, name);
  }
  if (stale.length > 0) log(`dropped ${stale.length} test database(s) left by runs over a day old`);
}

/** When a database named by newTestDatabaseName() was created (ms since epoch); undefined for any other name. */
function createdAtOfTestDatabase(name: string): number | undefined {
  const match = TEST_DATABASE_NAME.exec(name);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

async function migrate(databaseUrl: string): Promise<void> {
  const started = Date.now();
  try {
    await promisify(execFile)(process.execPath, [MIGRATE_SCRIPT, 'deploy'], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      timeout: MIGRATE_TIMEOUT_MS,
    });
  } catch (error) {
    const { stdout = '', stderr = '', message } = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`Migrating the test database failed: ${message}\n${stdout}${stderr}`);
  }
  log(`migrated in ${Date.now() - started} ms`);
}
