/**
 * Microsoft's WOPI validator (../shared/wopi-validator) against the gateway, with the real demo
 * core app behind it. Every group named below must pass with nothing failed and nothing skipped.
 * The validator signs every request with its proof keys, as Office for the web does; the test
 * tenants' default WOPI client is the validator's own discovery server, with proof keys required.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
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
import { createTestTenant, testPrisma } from '../support/test-tenant';

const VALIDATOR = path.resolve(
  process.env.WOPI_VALIDATOR_DIR ?? path.resolve(__dirname, '../../../shared/wopi-validator'),
  'cli.mjs',
);

const GROUPS_WITH_PUT_RELATIVE = [
  'BaseWopiViewing',
  'CheckFileInfoSchema',
  'EditFlows',
  'Locks',
  'GetLock',
  'ExtendedLockLength',
  'FileVersion',
  'PutRelativeFile',
  'RenameFileIfCreateChildFileIsNotSupported',
  'PutUserInfo',
  'ProofKeys',
];

interface Report {
  summary: { passed: number; failed: number; skipped: number };
  groups: { name: string; tests: { name: string; status: string; message?: string; failure?: unknown }[] }[];
}

describe('WOPI validator conformance', () => {
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
    reportDir = await mkdtemp(path.join(tmpdir(), 'wopi-validator-'));
    // The port first: the public URL (WOPISrc) must be the one the validator calls. (Not by
    // starting an app and closing it at once: its queue connections may still be connecting,
    // and BullMQ then raises an error no one listens to.)
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

  /** The validator's discovery (`cli.mjs discovery --serve PORT`): its WopiTest app and its proof keys. */
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
      const up = await fetch(url).then(
        (response) => response.ok,
        () => false,
      );
      if (up) return url;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function sessionForValidatorFile(features: Record<string, boolean>) {
    const tenant = await createTestTenant(prisma, core);
    await prisma.tenant.update({ where: { id: tenant.id }, data: { features } });
    await prisma.wopiClientProfile.create({
      data: {
        tenantId: tenant.id,
        name: 'wopi-validator',
        kind: 'WOPI_VALIDATOR',
        discoveryUrl,
        proofKeysRequired: true,
        isDefault: true,
      },
    });
    const response = await fetch(`${baseUrl}/api/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.sessionApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fileRef: await core.refOf('validator.wopitest'), userId: 'alice' }),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { wopiSrc: string; accessToken: string; accessTokenTtl: number };
  }

  async function runValidator(
    groups: string[],
    session: { wopiSrc: string; accessToken: string; accessTokenTtl: number },
  ): Promise<Report> {
    const report = path.join(reportDir, `${groups[0]}.json`);
    const args = [
      VALIDATOR,
      '--wopisrc',
      session.wopiSrc,
      '--token',
      session.accessToken,
      '--token-ttl',
      String(session.accessTokenTtl),
      '--json',
      report,
    ];
    for (const group of groups) args.push('-g', group);
    await promisify(execFile)(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 }).catch(
      (error: { code?: number }) => {
        // Exit 1 means failed or skipped tests: the report says which, and the assertions below show them.
        if (error.code !== 1) throw error;
      },
    );
    return JSON.parse(await readFile(report, 'utf8')) as Report;
  }

  function outcomes(report: Report) {
    return report.groups.flatMap((group) =>
      group.tests.map((test) => ({
        test: `${group.name}/${test.name}`,
        status: test.status,
        ...(test.status === 'pass' ? {} : { why: test.message, failure: test.failure }),
      })),
    );
  }

  it('passes every core group with PutRelativeFile on', async () => {
    const report = await runValidator(GROUPS_WITH_PUT_RELATIVE, await sessionForValidatorFile({}));
    const results = outcomes(report);
    expect(new Set(report.groups.map((g) => g.name))).toEqual(new Set(GROUPS_WITH_PUT_RELATIVE));
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(results.length).toBeGreaterThan(40);
    expect(report.summary).toEqual({ passed: results.length, failed: 0, skipped: 0 });
  }, 240_000);

  it('passes PutRelativeFileUnsupported on a tenant with PutRelativeFile off', async () => {
    const report = await runValidator(
      ['PutRelativeFileUnsupported'],
      await sessionForValidatorFile({ putRelativeFile: false }),
    );
    const results = outcomes(report);
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(results.length).toBeGreaterThan(0);
    expect(report.summary).toEqual({ passed: results.length, failed: 0, skipped: 0 });
  }, 120_000);
});
