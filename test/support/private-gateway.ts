import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createDatabase, dropDatabase } from '../../scripts/infra/index.cjs';
import { baseTestEnv } from './gateway-env';

/**
 * A gateway deployment of its own for one test file: database, queue prefix and staging folder.
 * Every worker relays its database's outbox and takes its queue's jobs, so the workers of other
 * test files would otherwise write this file's saves back (and do its jobs' telemetry) at random
 * moments. Pass `env` to the api and worker processes the test starts.
 */
export async function privateGatewayEnv(
  label: string,
): Promise<{ env: Record<string, string>; remove(): Promise<void> }> {
  const adminDatabaseUrl = process.env.WOPI_TEST_ADMIN_DATABASE_URL!;
  // global-setup's name pattern: a run killed before afterAll has its database dropped a day later.
  const timestamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const name = `wopi_test_${timestamp}_${randomBytes(3).toString('hex')}`;
  const databaseUrl = await createDatabase(adminDatabaseUrl, name);
  const repoRoot = path.resolve(__dirname, '../..');
  await promisify(execFile)(process.execPath, [path.join(repoRoot, 'scripts', 'prisma-migrate.mjs'), 'deploy'], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    timeout: 120_000,
  });
  const stagingDir = await mkdtemp(path.join(tmpdir(), `wopi-${label}-staging-`));
  return {
    env: {
      DATABASE_URL: databaseUrl,
      QUEUE_PREFIX: `${baseTestEnv().QUEUE_PREFIX}-${label}`,
      BLOB_STAGING_DIR: stagingDir,
    },
    async remove() {
      await dropDatabase(adminDatabaseUrl, name);
      await rm(stagingDir, { recursive: true, force: true });
    },
  };
}
