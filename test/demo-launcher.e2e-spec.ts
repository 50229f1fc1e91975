/**
 * The README's run command, as a user runs it: `npm run demo` with no Redis or PostgreSQL at the
 * configured URLs, then the session command, then Ctrl-C, then a second run on the same data.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type Browser, chromium, type Page } from 'playwright-core';
import { isProcessAlive } from '../scripts/infra/index.cjs';
import { CHROMIUM_ARGS, ensureChromium } from './browser/ensure-chromium';
import { freePort } from './support/api-process';

const ROOT = path.resolve(__dirname, '..');
const READY_LINE = 'Press Ctrl-C to stop.';
const SCREENSHOTS = path.resolve(__dirname, '../test-results/demo-launcher');

interface RunningDemo {
  process: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

function startDemo(env: NodeJS.ProcessEnv): Promise<RunningDemo> {
  const child = spawn(process.execPath, ['scripts/demo.cjs'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo not ready within 150 s:\n${output}`)), 150_000);
    const poll = setInterval(() => {
      if (output.includes(READY_LINE)) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve({ process: child, output: () => output, exit });
      }
    }, 200);
    void exit.then((code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`demo exited with ${code} before it was ready:\n${output}`));
    });
  });
}

describe('npm run demo', () => {
  let localDir: string;
  let env: NodeJS.ProcessEnv;
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: ensureChromium(), args: CHROMIUM_ARGS });
    localDir = await mkdtemp(path.join(tmpdir(), 'wopi-demo-'));
    env = {
      ...process.env,
      WOPI_LOCAL_DIR: localDir,
      WOPI_DEMO_SKIP_BUILD: '1',
      // Nothing answers here, so the launcher must start its own Redis and PostgreSQL.
      REDIS_URL: 'redis://127.0.0.1:1',
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/wopi_gateway',
      PORT: String(await freePort()),
      DEMO_CORE_PORT: String(await freePort()),
      DEMO_EDITOR_PORT: String(await freePort()),
      WOPI_VALIDATOR_DISCOVERY_PORT: String(await freePort()),
    };
  });

  afterAll(async () => {
    await browser?.close();
    await rm(localDir, { recursive: true, force: true });
  });

  async function stop(demo: RunningDemo, pids: number[]): Promise<void> {
    demo.process.kill('SIGINT');
    expect(await demo.exit).toBe(0);
    for (const pid of pids) expect({ pid, alive: isProcessAlive(pid) }).toEqual({ pid, alive: false });
  }

  it('runs everything on private servers, prints working links, stops cleanly, and runs again on the same data', async () => {
    const first = await startDemo(env);
    const runtime = JSON.parse(await readFile(path.join(localDir, 'demo', 'runtime.json'), 'utf8'));
    const pids = Object.entries(runtime.pids as Record<string, number>)
      .filter(([name]) => name !== 'launcher')
      .map(([, pid]) => pid);
    expect(Object.keys(runtime.pids).sort()).toEqual(
      ['api', 'demo-core', 'demo-editor', 'launcher', 'postgres', 'redis', 'worker', 'wopi-validator-discovery'].sort(),
    );

    const apiUrl = `http://127.0.0.1:${env.PORT}`;
    const ready = await fetch(`${apiUrl}/readyz`);
    expect(ready.status).toBe(200);

    const hostPages = [...first.output().matchAll(/^\s+(\S.*?\.\w+)\s+(http:\/\/\S+\/host\/\S+)\s+\((\S+)\)$/gm)].map(
      (m) => ({ name: m[1]!, url: m[2]!, client: m[3] }),
    );
    expect(hostPages.map((p) => [p.name, p.client]).sort()).toEqual([
      ['Budget.xlsx', 'demo-editor'],
      ['Meeting notes.odt', 'demo-editor'],
      ['Roadmap.pptx', 'demo-editor'],
      ['Welcome.docx', 'demo-editor'],
      ['validator.wopitest', 'wopi-validator'],
    ]);
    // Every printed link opens a working editor in a browser: the frame answered App_LoadingStatus.
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await mkdir(SCREENSHOTS, { recursive: true });
    const openLink = async (link: (typeof hostPages)[number]) => {
      const page = await context.newPage();
      await page.goto(link.url);
      expect(await page.title()).toBe(`${link.name} - Demo tenant`);
      await page.waitForSelector('body[data-editor-loaded="true"]', { state: 'attached', timeout: 30_000 });
      return { page, frame: page.frame({ name: 'office_frame' })! };
    };
    const screenshot = (page: Page, name: string) =>
      page.screenshot({ path: path.join(SCREENSHOTS, `${name.replace(/\s/g, '_')}.png`) });
    try {
      for (const link of hostPages.filter((p) => p.client === 'demo-editor')) {
        const { page, frame } = await openLink(link);
        await frame.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
        expect(await frame.locator('[data-field-id]').count()).toBeGreaterThan(0);
        expect(await frame.isDisabled('#save')).toBe(false);
        await screenshot(page, link.name);
        await page.close();
      }
      // The printed login URL of the demo core app: alice signs in and opens a document from her
      // file list; demo-core got the gateway's URL and the tenant's key from the launcher.
      const signIn = /demo core app\s+(http:\/\/\S+\/)\s/.exec(first.output());
      expect(signIn).not.toBeNull();
      expect(first.output()).toMatch(/accounts \(password "demo"\): alice .*bob/);
      const files = await context.newPage();
      await files.goto(signIn![1]);
      await files.selectOption('select[name="user"]', 'alice');
      await files.fill('input[name="password"]', 'demo');
      await files.click('button[type="submit"]');
      await files.locator('tr[data-file="Roadmap.pptx"] button[data-open="edit"]').click();
      await files.waitForSelector('body[data-editor-loaded="true"]', { state: 'attached', timeout: 30_000 });
      await files.frame({ name: 'office_frame' })!.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
      await screenshot(files, 'demo-core-open-Roadmap.pptx');
      await files.close();
      // The validator's frame runs Microsoft's test cases against the file with this session's token.
      const { page, frame } = await openLink(hostPages.find((p) => p.client === 'wopi-validator')!);
      await frame.click('#run');
      await frame.waitForSelector('body[data-state="done"]', { timeout: 240_000 });
      await screenshot(page, 'validator.wopitest');
      // It ran the validator against the gateway (that every required group passes, with proofs,
      // is test/conformance's job): its summary, with test cases passed through the frame's token.
      const summary = /\n(\d+) passed, (\d+) failed, (\d+) skipped$/.exec((await frame.textContent('#output'))!);
      expect(summary).not.toBeNull();
      expect(Number(summary![1])).toBeGreaterThan(50);
      // No access token is shown in the frame.
      expect(await frame.textContent('#output')).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    } finally {
      await context.close();
    }
    // The launcher's output names the command, with no token in it (docs/security.md).
    expect(first.output()).toMatch(
      /cli\.mjs \$\(npm run --silent session -- --file validator\.wopitest --validator-args\)/,
    );
    expect(first.output()).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    expect(first.output()).toContain(`${apiUrl}/healthz`);

    // The demo's admin key (every scope) is in secrets.json, and the launcher says so.
    const secrets = JSON.parse(await readFile(path.join(localDir, 'demo', 'secrets.json'), 'utf8'));
    expect(first.output()).toMatch(/an admin key with every scope is in \S*secrets\.json as adminApiKey/);
    const tenants = await fetch(`${apiUrl}/admin/v1/tenants`, {
      headers: { authorization: `Bearer ${secrets.adminApiKey}` },
    });
    expect(tenants.status).toBe(200);
    expect(((await tenants.json()) as { tenants: { slug: string }[] }).tenants.map((t) => t.slug)).toContain('demo');

    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['scripts/session.cjs', '--file', 'Welcome.docx', '--user', 'bob'],
      { cwd: ROOT, env },
    );
    const session = JSON.parse(stdout);
    expect(Object.keys(session).sort()).toEqual(['accessToken', 'accessTokenTtl', 'client', 'hostPageUrl', 'wopiSrc']);
    expect(session.client).toBe('demo-editor');
    expect(session.wopiSrc).toMatch(new RegExp(`^${apiUrl}/wopi/files/[A-Za-z0-9_-]{22}$`));
    expect((await fetch(session.hostPageUrl)).status).toBe(200);
    // What the launcher's validator command line runs: the validator's arguments for a new session.
    const validatorArgs = await promisify(execFile)(
      process.execPath,
      ['scripts/session.cjs', '--file', 'validator.wopitest', '--validator-args'],
      { cwd: ROOT, env },
    );
    expect(validatorArgs.stdout).toMatch(
      new RegExp(`^--wopisrc ${apiUrl}/wopi/files/[A-Za-z0-9_-]{22} --token eyJ\\S+ --token-ttl \\d+\n$`),
    );

    await stop(first, pids);
    await expect(fetch(`${apiUrl}/healthz`)).rejects.toThrow();

    const second = await startDemo(env);
    const again = JSON.parse(
      (
        await promisify(execFile)(process.execPath, ['scripts/session.cjs', '--file', 'Welcome.docx'], {
          cwd: ROOT,
          env,
        })
      ).stdout,
    );
    // Same database and documents as before: the file keeps its ID across restarts.
    expect(again.wopiSrc).toBe(session.wopiSrc);
    const secondRuntime = JSON.parse(await readFile(path.join(localDir, 'demo', 'runtime.json'), 'utf8'));
    await stop(
      second,
      Object.entries(secondRuntime.pids as Record<string, number>)
        .filter(([name]) => name !== 'launcher')
        .map(([, pid]) => pid),
    );
  }, 400_000);
});
