/**
 * Microsoft's WOPI validator (../shared/wopi-validator) against a real gateway, for the conformance
 * suites: the validator's own discovery (its WopiTest app and the proof keys it signs every request
 * with, as Office for the web does), the demo core app, and an in-process api listening on the port
 * its public URL names, so the WOPISrc the session API hands out is the one the validator calls.
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
import { freePort } from './api-process';
import { startDemoCore, type RunningDemoCore } from './demo-core';
import { testApiEnv } from './gateway-env';
import { testPrisma } from './test-tenant';

export const VALIDATOR_CLI = path.resolve(
  process.env.WOPI_VALIDATOR_DIR ?? path.resolve(__dirname, '../../../shared/wopi-validator'),
  'cli.mjs',
);

/** The validator's `--json` report. */
export interface ValidatorReport {
  summary: { passed: number; failed: number; skipped: number };
  groups: { name: string; tests: { name: string; status: string; message?: string; failure?: unknown }[] }[];
}

/** What the session API answered: what the validator needs to call the file. */
export interface ValidatorSession {
  wopiSrc: string;
  accessToken: string;
  accessTokenTtl: number;
}

export interface ValidatorHarness {
  app: NestFastifyApplication;
  core: RunningDemoCore;
  prisma: PrismaClient;
  /** The api's public URL. */
  baseUrl: string;
  /** The validator's discovery, for the tenant's WOPI-client profile. */
  discoveryUrl: string;
  /** Runs the validator's `groups` against the session's file; failed or skipped tests are in the report. */
  run(groups: string[], session: ValidatorSession): Promise<ValidatorReport>;
  close(): Promise<void>;
}

export async function startValidatorHarness(label: string): Promise<ValidatorHarness> {
  if (!existsSync(VALIDATOR_CLI))
    throw new Error(`the WOPI validator is missing at ${VALIDATOR_CLI} (set WOPI_VALIDATOR_DIR)`);
  // Whatever has started is stopped, newest first, by close() or when a later step fails.
  const stops: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  try {
    const discovery = await startValidatorDiscovery();
    stops.push(discovery.stop);
    const core = await startDemoCore();
    stops.push(() => core.close());
    const prisma = testPrisma();
    stops.push(() => prisma.$disconnect());
    const reportDir = await mkdtemp(path.join(tmpdir(), `wopi-validator-${label}-`));
    stops.push(() => rm(reportDir, { recursive: true, force: true }));
    // The port first: the public URL (WOPISrc) must be the one the validator calls. (Not by
    // starting an app and closing it at once: its queue connections may still be connecting, and
    // BullMQ then raises an error no one listens to.)
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const app = await createApp(testApiEnv({ PUBLIC_BASE_URL: baseUrl }));
    stops.push(() => app.close());
    await app.listen({ port, host: '127.0.0.1' });
    return {
      app,
      core,
      prisma,
      baseUrl,
      discoveryUrl: discovery.url,
      async run(groups, session) {
        const report = path.join(reportDir, `${groups[0]}.json`);
        const args = [
          VALIDATOR_CLI,
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
            // Exit 1 means failed or skipped tests: the report says which.
            if (error.code !== 1) throw error;
          },
        );
        return JSON.parse(await readFile(report, 'utf8')) as ValidatorReport;
      },
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

/** Each test of a report as `group/test` with its status, and why for those that did not pass. */
export function validatorOutcomes(report: ValidatorReport) {
  return report.groups.flatMap((group) =>
    group.tests.map((test) => ({
      test: `${group.name}/${test.name}`,
      status: test.status,
      ...(test.status === 'pass' ? {} : { why: test.message, failure: test.failure }),
    })),
  );
}

/** The validator's discovery (`cli.mjs discovery --serve PORT`): its WopiTest app and its proof keys. */
async function startValidatorDiscovery(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/hosting/discovery`;
  let output = '';
  const server: ChildProcess = spawn(process.execPath, [VALIDATOR_CLI, 'discovery', '--serve', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout!.on('data', (chunk) => (output += chunk));
  server.stderr!.on('data', (chunk) => (output += chunk));
  const stop = async () => {
    if (server.exitCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`validator discovery exited:\n${output}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`validator discovery not serving at ${url}:\n${output}`);
    }
    const up = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (up) return { url, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
