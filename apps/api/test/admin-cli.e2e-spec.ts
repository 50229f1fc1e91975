/** `npm run admin -- create-admin-key`: the first admin key of a production deployment, made on the database. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../src/create-app';
import { testApiEnv } from '../../../test/support/gateway-env';

const CLI = path.resolve(__dirname, '../../../dist/apps/api/src/admin-cli/main.js');

describe('admin command line', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createApp(testApiEnv());
    await app.init();
  });

  afterAll(() => app.close());

  const run = (...args: string[]) =>
    promisify(execFile)(process.execPath, [CLI, ...args], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: process.env.DATABASE_URL,
        // Not configuration: the run's log capture (test/setup/run-log-setup.ts), so the CLI's
        // stderr is scanned for secrets with the rest of the run.
        NODE_OPTIONS: process.env.NODE_OPTIONS,
        WOPI_TEST_RUN_LOG_DIR: process.env.WOPI_TEST_RUN_LOG_DIR,
      },
    });

  it('creates an admin key that the admin API accepts with exactly its scopes', async () => {
    const { stdout, stderr } = await run('create-admin-key', '--name', 'first operator', '--scopes', 'read,support');
    const created = JSON.parse(stdout) as { keyId: string; key: string; scopes: string[]; tenant: string | null };
    expect(created).toMatchObject({ scopes: ['read', 'support'], tenant: null });
    expect(stderr).toContain('shown this once');
    const headers = { authorization: `Bearer ${created.key}` };
    expect((await app.inject({ method: 'GET', url: '/admin/v1/tenants?limit=1', headers })).statusCode).toBe(200);
    const write = await app.inject({ method: 'POST', url: '/admin/v1/tenants', headers, payload: {} });
    expect(write.statusCode).toBe(403);
    const audit = await app.inject({ method: 'GET', url: '/admin/v1/audit?limit=20', headers });
    expect(audit.json().events).toContainEqual(
      expect.objectContaining({ actor: 'operator:cli', action: 'api_key.created', target: `api_key:${created.keyId}` }),
    );
  });

  it('refuses unknown scopes and a missing name with the usage, exit code 2, and creates nothing', async () => {
    for (const args of [
      ['create-admin-key', '--name', 'x', '--scopes', 'read,root'],
      ['create-admin-key', '--scopes', 'read'],
      ['make-me-admin'],
    ]) {
      const failure = await run(...args).then(
        () => null,
        (error: { code: number; stderr: string; stdout: string }) => error,
      );
      expect(failure).toMatchObject({ code: 2, stdout: '' });
      expect(failure!.stderr).toContain('usage: npm run admin -- create-admin-key');
    }
  });
});
