import { type ChildProcess, execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { baseTestEnv } from '../support/gateway-env';
import { freePort } from '../support/api-process';
import { waitFor } from '../support/wait-for';
import { ensureNodeLts, NODE_LTS_VERSION, REPO_ROOT, repoFile } from './deploy-tools';

const run = promisify(execFile);
// Downloading the Node binary (about 50 MB) on a fresh machine.
const INSTALL_TIMEOUT_MS = 240_000;
// The whole unit tier once more, on one worker so the run's own workers keep their share.
const UNIT_TIER_TIMEOUT_MS = 300_000;

/** Whether `version` satisfies an `engines` range made of `^x.y.z` alternatives. */
function satisfiesCaretRange(version: string, range: string): boolean {
  const parse = (v: string) => v.split('.').map(Number);
  const [major, minor, patch] = parse(version);
  return range.split('||').some((alternative) => {
    const [, floor] = /^\s*\^(\d+\.\d+\.\d+)\s*$/.exec(alternative) ?? [];
    if (!floor) throw new Error(`engines: only ^x.y.z alternatives are understood here, not "${alternative}"`);
    const [fMajor, fMinor, fPatch] = parse(floor);
    return major === fMajor && (minor > fMinor || (minor === fMinor && patch >= fPatch));
  });
}

/** A built gateway process on the LTS binary; resolves once `url` answers 200. */
async function startOnLts(node: string, script: string, env: Record<string, string>, readyUrl: string) {
  const child = spawn(node, [path.join(REPO_ROOT, script)], {
    env: { ...process.env, ...baseTestEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const state = await waitFor<'exited' | 'ready'>(
    () =>
      child.exitCode !== null
        ? 'exited'
        : fetch(readyUrl).then(
            (response) => (response.status === 200 ? 'ready' : false),
            () => false,
          ),
    `${script} on Node ${NODE_LTS_VERSION} to answer ${readyUrl}`,
    30_000,
  );
  if (state === 'exited') throw new Error(`${script} exited on Node ${NODE_LTS_VERSION}:\n${output}`);
  return { child, exited, output: () => output };
}

const stop = async (started: { child: ChildProcess; exited: Promise<number | null> }) => {
  started.child.kill('SIGTERM');
  return started.exited;
};

/**
 * Node 20 reached end of life in April 2026; the images run the current LTS. The machine's Node
 * runs the rest of the suite, this proves the service on the LTS the images and .nvmrc name.
 */
describe(`the service on Node ${NODE_LTS_VERSION} (LTS)`, () => {
  let node: string;

  beforeAll(() => {
    node = ensureNodeLts();
  }, INSTALL_TIMEOUT_MS);

  it('is the LTS that .nvmrc, engines and the Dockerfile name', async () => {
    const { stdout } = await run(node, ['--version']);
    expect(stdout.trim()).toBe(`v${NODE_LTS_VERSION}`);
    const major = NODE_LTS_VERSION.split('.')[0];
    expect(repoFile('.nvmrc').trim()).toBe(major);
    expect(repoFile('deploy/Dockerfile')).toMatch(new RegExp(`^ARG NODE_IMAGE=node:${major}-`, 'm'));
    const engines = (JSON.parse(repoFile('package.json')) as { engines: { node: string } }).engines.node;
    expect(satisfiesCaretRange(NODE_LTS_VERSION, engines)).toBe(true);
    // Node 20 is not supported any more, whatever the machine runs.
    expect(satisfiesCaretRange('20.19.0', engines)).toBe(false);
  });

  it('starts the api, which answers /readyz, and stops it cleanly on SIGTERM', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const api = await startOnLts(
      node,
      'dist/apps/api/src/main.js',
      { PORT: String(port), HOST: '127.0.0.1', PUBLIC_BASE_URL: url },
      `${url}/readyz`,
    );
    const ready = (await (await fetch(`${url}/readyz`)).json()) as { info: Record<string, { status: string }> };
    expect(ready.info).toEqual({
      postgres: { status: 'up' },
      migrations: { status: 'up' },
      redis: { status: 'up' },
      staging: { status: 'up' },
    });
    expect(await stop(api)).toBe(0);
  }, 60_000);

  it('starts a worker whose queues run, and stops it cleanly on SIGTERM', async () => {
    const port = await freePort();
    const worker = await startOnLts(
      node,
      'dist/apps/worker/src/main.js',
      // Its own queue prefix and no write-back: it must not take the run's write-backs.
      {
        WORKER_HEALTH_PORT: String(port),
        WORKER_JOBS: 'conversion,housekeeping',
        QUEUE_PREFIX: `${baseTestEnv().QUEUE_PREFIX}-lts`,
      },
      `http://127.0.0.1:${port}/readyz`,
    );
    expect(await stop(worker)).toBe(0);
  }, 60_000);

  it(
    'passes the unit tier',
    async () => {
      // A run of its own, as on a fresh machine: its global set-up prepares its own database.
      const env = Object.fromEntries(
        Object.entries(process.env).filter(([key]) => !key.startsWith('WOPI_TEST_') && !key.startsWith('JEST_')),
      );
      env.DATABASE_URL = process.env.WOPI_TEST_ADMIN_DATABASE_URL;
      const result = await run(
        node,
        [path.join(REPO_ROOT, 'node_modules/jest/bin/jest.js'), '--selectProjects', 'unit', '--maxWorkers=1', '--ci'],
        { cwd: REPO_ROOT, env, timeout: UNIT_TIER_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
      ).catch((error: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(
          `the unit tier failed on Node ${NODE_LTS_VERSION}: ${error.message}\n${error.stderr ?? ''}`.slice(-8000),
        );
      });
      const summary = /^Tests:\s+(.*)$/m.exec(result.stderr)?.[1] ?? '';
      const [, passed, total] = /^(\d+) passed, (\d+) total$/.exec(summary) ?? [];
      expect({ summary, allPassed: passed === total }).toEqual({ summary, allPassed: true });
      // The whole tier ran, not a filtered handful.
      expect(Number(total)).toBeGreaterThan(500);
    },
    UNIT_TIER_TIMEOUT_MS + 10_000,
  );
});
