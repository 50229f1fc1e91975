/**
 * Done-when of the admin API: a tenant created, configured and given a session key through the
 * admin API alone (no SQL, no restart of the running gateway) opens a session and passes the WOPI
 * validator's BaseWopiViewing group with proof keys on, against the real demo core app and the
 * validator's own discovery (which signs every request as Office for the web does).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { PrismaClient } from '@wopi/db';
import { createApp } from '../../apps/api/src/create-app';
import { freePort } from '../support/api-process';
import { startDemoCore, type RunningDemoCore } from '../support/demo-core';
import { testApiEnv } from '../support/gateway-env';
import { createTestAdminKey, testPrisma } from '../support/test-tenant';

const VALIDATOR = path.resolve(
  process.env.WOPI_VALIDATOR_DIR ?? path.resolve(__dirname, '../../../shared/wopi-validator'),
  'cli.mjs',
);

interface Report {
  summary: { passed: number; failed: number; skipped: number };
  groups: { name: string; tests: { name: string; status: string; message?: string }[] }[];
}

describe('a tenant onboarded through the admin API alone', () => {
  let app: NestFastifyApplication;
  let core: RunningDemoCore;
  let prisma: PrismaClient;
  let baseUrl: string;
  let reportDir: string;
  let discoveryServer: ChildProcess | undefined;
  let discoveryUrl: string;

  beforeAll(async () => {
    if (!existsSync(VALIDATOR))
      throw new Error(`the WOPI validator is missing at ${VALIDATOR} (set WOPI_VALIDATOR_DIR)`);
    discoveryUrl = await startValidatorDiscovery();
    core = await startDemoCore();
    prisma = testPrisma();
    reportDir = await mkdtemp(path.join(tmpdir(), 'wopi-validator-admin-'));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    app = await createApp(testApiEnv({ PUBLIC_BASE_URL: baseUrl }));
    await app.listen({ port, host: '127.0.0.1' });
  });

  afterAll(async () => {
    if (discoveryServer && discoveryServer.exitCode === null) {
      const exited = new Promise((resolve) => discoveryServer!.once('exit', resolve));
      discoveryServer.kill('SIGTERM');
      await exited;
    }
    await app?.close();
    await core?.close();
    await prisma?.$disconnect();
    if (reportDir) await rm(reportDir, { recursive: true, force: true });
  });

  async function startValidatorDiscovery(): Promise<string> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/hosting/discovery`;
    let output = '';
    discoveryServer = spawn(process.execPath, [VALIDATOR, 'discovery', '--serve', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    discoveryServer.stdout!.on('data', (chunk) => (output += chunk));
    discoveryServer.stderr!.on('data', (chunk) => (output += chunk));
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (discoveryServer.exitCode !== null) throw new Error(`validator discovery exited:\n${output}`);
      if (Date.now() > deadline) throw new Error(`validator discovery not serving at ${url}:\n${output}`);
      if (
        await fetch(url).then(
          (r) => r.ok,
          () => false,
        )
      )
        return url;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function admin(key: string, method: string, url: string, body?: object) {
    const response = await fetch(`${baseUrl}${url}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('opens a session and passes BaseWopiViewing with proof keys verified', async () => {
    // The only row written directly: the operator's first admin key, as `npm run admin -- create-admin-key` does.
    const operator = await createTestAdminKey(prisma, ['read', 'write']);
    const slug = `v-${randomBytes(5).toString('hex')}`;
    expect(
      (
        await admin(operator, 'POST', '/admin/v1/tenants', {
          slug,
          displayName: 'Validator line',
          coreApp: { baseUrl: core.baseUrl, secret: core.credential },
        })
      ).status,
    ).toBe(201);
    expect((await admin(operator, 'PATCH', `/admin/v1/tenants/${slug}`, { accessTokenTtlMs: 3_600_000 })).status).toBe(
      200,
    );
    const profile = await admin(operator, 'POST', `/admin/v1/tenants/${slug}/client-profiles`, {
      name: 'wopi-validator',
      kind: 'validator',
      discoveryUrl,
      isDefault: true,
      proofKeysRequired: true,
    });
    expect(profile.status).toBe(201);
    const sessionKey = await admin(operator, 'POST', `/admin/v1/tenants/${slug}/api-keys`, {
      name: 'core app',
      kind: 'session',
    });
    expect(sessionKey.status).toBe(201);

    const response = await fetch(`${baseUrl}/api/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sessionKey.body.key as string}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fileRef: await core.refOf('validator.wopitest'), userId: 'alice' }),
    });
    expect(response.status).toBe(201);
    const session = (await response.json()) as { wopiSrc: string; accessToken: string; accessTokenTtl: number };

    // Proof keys are on: an unsigned request is refused as proofkeys.rst demands (500).
    const unsigned = await fetch(`${session.wopiSrc}?access_token=${encodeURIComponent(session.accessToken)}`);
    expect(unsigned.status).toBe(500);

    const reportFile = path.join(reportDir, 'BaseWopiViewing.json');
    await promisify(execFile)(
      process.execPath,
      [
        VALIDATOR,
        '--wopisrc',
        session.wopiSrc,
        '--token',
        session.accessToken,
        '--token-ttl',
        String(session.accessTokenTtl),
        '--json',
        reportFile,
        '-g',
        'BaseWopiViewing',
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    ).catch((error: { code?: number }) => {
      // Exit 1 means failed or skipped tests: the report says which, and the assertions below show them.
      if (error.code !== 1) throw error;
    });
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as Report;
    const results = report.groups.flatMap((group) =>
      group.tests.map((test) => ({ test: `${group.name}/${test.name}`, status: test.status, why: test.message })),
    );
    expect(report.groups.map((group) => group.name)).toEqual(['BaseWopiViewing']);
    expect(results.filter((result) => result.status !== 'pass')).toEqual([]);
    expect(results.length).toBeGreaterThan(0);
    expect(report.summary).toEqual({ passed: results.length, failed: 0, skipped: 0 });
  }, 180_000);
});
