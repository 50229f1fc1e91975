/**
 * `npm run compliance` (scripts/compliance.cjs) against a real gateway with the real demo core
 * app, the demo editor as the tenant's default client and the WOPI validator as its second
 * client, both with proof keys required, as the demo tenant is set up. The report must show every
 * required validator group passing and every questionnaire answer measured, with evidence.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { PrismaClient } from '@wopi/db';
import type { FastifyInstance } from 'fastify';
import { createApp } from '../../apps/api/src/create-app';
import { createDemoEditor } from '../../apps/demo-editor/src/create-demo-editor';
import { freePort } from '../support/api-process';
import { startDemoCore, type RunningDemoCore } from '../support/demo-core';
import { testApiEnv } from '../support/gateway-env';
import { createTestTenant, testPrisma, type TestTenant } from '../support/test-tenant';

const VALIDATOR_DIR = process.env.WOPI_VALIDATOR_DIR ?? path.resolve(__dirname, '../../../shared/wopi-validator');
const COMPLIANCE = path.resolve(__dirname, '../../scripts/compliance.cjs');
const RESULTS = path.resolve(__dirname, '../../test-results/compliance');

/** shipping.rst's required groups as this tenant is configured (PutRelativeFile on, rename on, no containers). */
const REQUIRED = [
  'BaseWopiViewing',
  'CheckFileInfoSchema',
  'EditFlows',
  'Locks',
  'PutRelativeFile',
  'RenameFileIfCreateChildFileIsNotSupported',
  'FileVersion',
  'PutUserInfo',
  'ProofKeys',
];

interface ComplianceReport {
  verdict: { allRequiredGroupsPassed: boolean; allQuestionsAnswered: boolean; allAnswersSatisfied: boolean };
  validator: {
    client: string;
    proofKeys: boolean;
    required: { requirement: string; group: string | null; reason: string }[];
    groups: Record<
      string,
      { passed: number; failed: number; skipped: number; tests: { name: string; status: string }[] }
    >;
  };
  questionnaire: {
    id: string;
    question: string;
    answer: string;
    satisfied: boolean;
    evidence: { what: string; request?: { url: string }; response?: { status: number } | null }[];
  }[];
  manualChecks: { id: string; steps: string[]; record: string }[];
}

describe('npm run compliance', () => {
  let app: NestFastifyApplication;
  let core: RunningDemoCore;
  let editor: FastifyInstance;
  let prisma: PrismaClient;
  let tenant: TestTenant;
  let apiUrl: string;
  let workDir: string;
  let discoveryServer: ChildProcess | undefined;
  let validatorDiscoveryUrl: string;

  beforeAll(async () => {
    if (!existsSync(path.join(VALIDATOR_DIR, 'cli.mjs')))
      throw new Error(`the WOPI validator is missing at ${VALIDATOR_DIR} (set WOPI_VALIDATOR_DIR)`);
    workDir = await mkdtemp(path.join(tmpdir(), 'compliance-'));
    validatorDiscoveryUrl = await startValidatorDiscovery();
    core = await startDemoCore();
    prisma = testPrisma();
    editor = await createDemoEditor({
      host: '127.0.0.1',
      port: 0,
      keysDir: path.join(workDir, 'editor-keys'),
      pollMs: 1000,
      refreshLockMs: 60_000,
      staleAfterMs: 60_000,
      wopiTimeoutMs: 20_000,
      logLevel: 'silent',
    });
    const editorUrl = await editor.listen({ host: '127.0.0.1', port: 0 });
    tenant = await createTestTenant(prisma, core);
    await prisma.wopiClientProfile.createMany({
      data: [
        {
          tenantId: tenant.id,
          name: 'demo-editor',
          kind: 'DEMO_EDITOR',
          discoveryUrl: `${editorUrl}/hosting/discovery`,
          proofKeysRequired: true,
          isDefault: true,
        },
        {
          tenantId: tenant.id,
          name: 'wopi-validator',
          kind: 'WOPI_VALIDATOR',
          discoveryUrl: validatorDiscoveryUrl,
          proofKeysRequired: true,
          isDefault: false,
        },
      ],
    });
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    app = await createApp(testApiEnv({ PUBLIC_BASE_URL: apiUrl }));
    await app.listen({ port, host: '127.0.0.1' });
  }, 60_000);

  afterAll(async () => {
    if (discoveryServer && discoveryServer.exitCode === null) {
      const exited = new Promise((resolve) => discoveryServer!.once('exit', resolve));
      discoveryServer.kill('SIGTERM');
      await exited;
    }
    await app?.close();
    await editor?.close();
    await core?.close();
    await prisma?.$disconnect();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  async function startValidatorDiscovery(): Promise<string> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/hosting/discovery`;
    discoveryServer = spawn(
      process.execPath,
      [path.join(VALIDATOR_DIR, 'cli.mjs'), 'discovery', '--serve', String(port)],
      {
        stdio: 'ignore',
      },
    );
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (
        await fetch(url).then(
          (r) => r.ok,
          () => false,
        )
      )
        return url;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`validator discovery not serving at ${url}`);
  }

  function runCompliance(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) =>
      execFile(process.execPath, [COMPLIANCE, ...args], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      ),
    );
  }

  it('reports every required validator group passing and every question answered with evidence', async () => {
    // Kept as a test artefact: the report a team would hand in, measured on this run.
    const out = path.join(RESULTS, 'report');
    await rm(out, { recursive: true, force: true });
    const run = await runCompliance([
      '--api',
      apiUrl,
      '--key',
      tenant.sessionApiKey,
      '--wopitest-ref',
      await core.refOf('validator.wopitest'),
      '--doc-ref',
      await core.refOf('Welcome.docx'),
      '--validator-dir',
      VALIDATOR_DIR,
      '--out',
      out,
    ]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.any(String) as string });
    const report = JSON.parse(await readFile(path.join(out, 'compliance.json'), 'utf8')) as ComplianceReport;

    expect(report.validator).toMatchObject({ client: 'wopi-validator', proofKeys: true });
    expect(report.validator.required.map((r) => r.group).sort()).toEqual([...REQUIRED].sort());
    for (const group of REQUIRED) {
      const result = report.validator.groups[group];
      expect({ group, failed: result?.failed, skipped: result?.skipped }).toEqual({ group, failed: 0, skipped: 0 });
      expect(result.passed).toBeGreaterThan(0);
    }
    expect(report.verdict.allRequiredGroupsPassed).toBe(true);
    // Offered but not required: run and reported too.
    for (const group of ['GetLock', 'ExtendedLockLength'])
      expect(report.validator.groups[group]).toMatchObject({ failed: 0, skipped: 0 });

    const ids = report.questionnaire.map((q) => q.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'file-ids',
        'user-id',
        'owner-id',
        'sha256',
        'versions',
        'business-flow',
        'supports-properties',
        'access-token-transport',
        'ipv6',
        'access-token',
        'no-nulls',
        'host-page',
      ]),
    );
    for (const q of report.questionnaire) {
      expect(q.answer.length).toBeGreaterThan(20);
      expect(q.evidence.length).toBeGreaterThan(0);
    }
    // Measured, not asserted by the script: the gateway's behaviour shows in the evidence.
    const byId = Object.fromEntries(report.questionnaire.map((q) => [q.id, q]));
    const notSatisfied = report.questionnaire.filter((q) => !q.satisfied).map((q) => `${q.id}: ${q.answer}`);
    expect(notSatisfied).toEqual([]);
    expect(byId['versions'].evidence.map((e) => e.response?.status)).toEqual([200, 200, 200, 200, 200, 200, 200]);
    expect(byId['file-ids'].evidence.some((e) => e.what.startsWith('RenameFile'))).toBe(true);
    expect(report.manualChecks.map((m) => m.id)).toEqual(
      expect.arrayContaining([
        'host-frame-integration',
        'multi-user-coauthoring',
        'word-edit',
        'excel-edit',
        'powerpoint-edit',
      ]),
    );

    // No access token or API key leaks into the files a team hands to Microsoft.
    for (const file of ['compliance.json', 'compliance.md', 'compliance.html', 'validator-report.json']) {
      const text = await readFile(path.join(out, file), 'utf8');
      expect(text).not.toContain(tenant.sessionApiKey);
      expect(text).not.toMatch(/access_token=[A-Za-z0-9_-]{20,}/);
      expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}(\.|%2E)/);
    }
    const markdown = await readFile(path.join(out, 'compliance.md'), 'utf8');
    expect(markdown).toContain('## 1. WOPI validator (required groups)');
    expect(markdown).toContain('## 3. Manual checks and videos');
  }, 600_000);

  it('follows the tenant and reports what it measured: PutRelativeFileUnsupported, a wrong owner', async () => {
    const saveAsOff = await createTestTenant(prisma, core);
    await prisma.tenant.update({ where: { id: saveAsOff.id }, data: { features: { putRelativeFile: false } } });
    await prisma.wopiClientProfile.create({
      data: {
        tenantId: saveAsOff.id,
        name: 'wopi-validator',
        kind: 'WOPI_VALIDATOR',
        discoveryUrl: validatorDiscoveryUrl,
        proofKeysRequired: true,
        isDefault: true,
      },
    });
    const out = path.join(RESULTS, 'save-as-off');
    const run = await runCompliance([
      '--api',
      apiUrl,
      '--key',
      saveAsOff.sessionApiKey,
      '--wopitest-ref',
      await core.refOf('validator.wopitest'),
      '--owner',
      'bob',
      '--validator-dir',
      VALIDATOR_DIR,
      '--out',
      out,
    ]);
    expect({ code: run.code, output: run.code === 0 ? '' : run.stdout + run.stderr }).toEqual({ code: 0, output: '' });
    const report = JSON.parse(await readFile(path.join(out, 'compliance.json'), 'utf8')) as ComplianceReport;
    const groups = report.validator.required.map((r) => r.group);
    expect(groups).toContain('PutRelativeFileUnsupported');
    expect(groups).not.toContain('PutRelativeFile');
    // The validator's rename group makes its file with PutRelativeFile: not runnable, and said so.
    expect(report.validator.required.find((r) => r.requirement.startsWith('RenameFile'))).toMatchObject({
      group: null,
      reason: expect.stringContaining('PutRelativeFile') as string,
    });
    expect(report.validator.groups['PutRelativeFileUnsupported']).toMatchObject({ failed: 0, skipped: 0 });
    expect(report.validator.groups['PutRelativeFileUnsupported'].passed).toBeGreaterThan(0);
    expect(report.verdict.allRequiredGroupsPassed).toBe(true);
    // alice owns the file in the demo core app: told that bob does, the report says it is not so.
    const owner = report.questionnaire.find((q) => q.id === 'owner-id')!;
    expect(owner.satisfied).toBe(false);
    expect(owner.answer).toMatch(/^No: .*the owner, bob, has UserId "[^"]*\.bob", which is NOT the OwnerId/);
    expect(report.verdict.allAnswersSatisfied).toBe(false);
    // Without --doc-ref the host page of the .wopitest file is measured, through the validator.
    expect(report.questionnaire.find((q) => q.id === 'host-page')!.evidence.length).toBeGreaterThan(1);
  }, 600_000);

  it('refuses to run without the session key, with a usage error', async () => {
    const run = await runCompliance(['--api', apiUrl, '--wopitest-ref', 'x', '--out', path.join(workDir, 'none')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--key');
  });
});
