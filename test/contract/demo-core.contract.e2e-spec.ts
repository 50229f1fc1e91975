import { canonicalRequest, EMPTY_BODY_SHA256, signRequest } from '@wopi/core-app-client';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createDemoCore } from '../../apps/demo-core/src/create-demo-core';
import { DemoCoreErrorCode } from '../../apps/demo-core/src/demo-core.error';
import { checks, newContext, type ContractContext } from './contract-checks.cjs';
import { canonicalString, EMPTY_SHA256, signatureHeaders } from './contract-client.cjs';

// The contract suite (the same checks core-app teams run with run-contract-tests.cjs) against
// the reference core app, plus the agreements around it: the OpenAPI file lists exactly what
// demo-core serves, the suite's own signer matches the gateway's, the CLI behaves as documented.
jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '../..');
const OPENAPI_FILE = path.join(ROOT, 'libs/core-app-client/openapi/core-app-contract.v1.yaml');
const GUIDE_FILE = path.join(ROOT, 'docs/core-app-integration.md');
const RUNNER = path.join(__dirname, 'run-contract-tests.cjs');
const SECRET = 'contract-suite-secret-0123456789';
const USERS = { editor: 'bob', viewer: 'carol', none: 'dave' };
const HTTP_METHODS = ['get', 'head', 'put', 'post', 'delete', 'patch', 'options'];

interface DemoCore {
  baseUrl: string;
  routes: { method: string; url: string }[];
  refOf(name: string): Promise<string>;
  close(): Promise<void>;
}

async function startDemoCore(): Promise<DemoCore> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'demo-core-contract-'));
  const routes: { method: string; url: string }[] = [];
  const app = await createDemoCore(
    {
      host: '127.0.0.1',
      port: 0,
      dataDir,
      apiSecret: SECRET,
      faultsEnabled: true,
      maxUploadBytes: 64 * 1024 * 1024,
      logLevel: 'silent',
    },
    { onRoute: (method, url) => routes.push({ method, url }) },
  );
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const baseUrl = `${address}/core/v1`;
  return {
    baseUrl,
    routes,
    async refOf(name) {
      const pathWithQuery = '/core/v1/files';
      const headers = signRequest(SECRET, {
        method: 'GET',
        pathWithQuery,
        contentSha256: EMPTY_BODY_SHA256,
        timestampMs: Date.now(),
      });
      const { files } = (await (await fetch(`${address}${pathWithQuery}`, { headers })).json()) as {
        files: { ref: string; name: string }[];
      };
      const file = files.find((candidate) => candidate.name === name);
      if (file === undefined) throw new Error(`no sample ${name}`);
      return file.ref;
    },
    async close() {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUNNER, ...args], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, lines: output.trimEnd().split('\n') }));
  });
}

let core: DemoCore;
let file: string;

beforeAll(async () => {
  core = await startDemoCore();
  file = await core.refOf('Meeting notes.odt');
});

afterAll(async () => {
  await core?.close();
});

describe('core-app contract v1: demo-core passes every check', () => {
  let ctx: ContractContext;

  beforeAll(() => {
    ctx = newContext({ baseUrl: core.baseUrl, secret: SECRET, users: USERS, file });
  });

  // In order, one test per check: they share the context (setup first, cleanup last).
  it.each(checks)('$name', async (check) => {
    const note = await check.run(ctx);
    // demo-core implements the optional operations too.
    expect(note).toBeUndefined();
  });

  it('left nothing behind', () => {
    expect([...ctx.created.keys()]).toEqual([]);
  });
});

describe('run-contract-tests.cjs', () => {
  it('passes against demo-core: one line per check, then the totals', async () => {
    const { code, lines } = await runCli(
      ['--url', core.baseUrl, '--user-editor', 'bob', '--user-viewer', 'carol', '--user-none', 'dave', '--file', file],
      { CORE_APP_CONTRACT_SECRET: SECRET },
    );
    expect(lines.at(-1)).toBe(`${checks.length} passed, 0 failed`);
    expect(lines.filter((line) => line.startsWith('ok   '))).toHaveLength(checks.length);
    expect(code).toBe(0);
  });

  it('fails (exit 1) against a core app that does not accept its signatures', async () => {
    const { code, lines } = await runCli([
      '--url',
      core.baseUrl,
      '--secret',
      'some-other-secret-0123456789',
      '--user-editor',
      'bob',
      '--user-viewer',
      'carol',
      '--user-none',
      'dave',
      '--file',
      file,
      '--only',
      'GET /files/{ref}:',
    ]);
    expect(code).toBe(1);
    expect(lines[0]).toMatch(/^FAIL setup: .*expected 200, got 401 \(unauthorized: /);
    expect(lines.at(-1)).toMatch(/^\d+ passed, [1-9]\d* failed$/);
  });

  it('explains its arguments (exit 2) when some are missing', async () => {
    const { code, lines } = await runCli(['--url', core.baseUrl]);
    expect(code).toBe(2);
    expect(lines[0]).toBe('missing: --user-editor, --user-viewer, --user-none, --file, --secret');
  });
});

describe('request signing', () => {
  const request = {
    method: 'PUT',
    pathWithQuery: '/wopi-contract/v1/files/doc-1/content?userId=bob',
    timestampMs: 1_767_225_600_000,
    nonce: 'bm9uY2UtZm9yLXRoZS10ZXN0',
    contentSha256: EMPTY_SHA256,
  };

  it("the suite's own signer agrees with the gateway's", () => {
    expect(EMPTY_SHA256).toBe(EMPTY_BODY_SHA256);
    expect(canonicalString(request)).toBe(canonicalRequest(request));
    expect(signatureHeaders(SECRET, request)).toEqual(signRequest(SECRET, request));
  });

  it('reproduces the worked example of the integration guide', async () => {
    const guide = await readFile(GUIDE_FILE, 'utf8');
    const example = {
      method: 'PUT',
      pathWithQuery: '/wopi-contract/v1/files/doc-42/content?userId=u-1001',
      timestampMs: 1_767_225_600_000,
      nonce: 'bm9uY2UtZm9yLXRoZS1leGFtcGxl',
      contentSha256: 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9',
    };
    const headers = signRequest('example-shared-secret-do-not-use', example);
    expect(guide).toContain(canonicalRequest(example));
    for (const [name, value] of Object.entries(headers)) expect(guide).toContain(`${name}: ${value}`);
  });
});

describe('the OpenAPI document', () => {
  interface Operation {
    security?: unknown[];
    responses?: Record<string, unknown>;
    'x-optional'?: boolean;
  }
  let document: {
    openapi: string;
    security: unknown[];
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, { enum?: string[] }> };
  };

  beforeAll(async () => {
    document = parseYaml(await readFile(OPENAPI_FILE, 'utf8'));
  });

  function operations(): { name: string; value: Operation }[] {
    return Object.entries(document.paths).flatMap(([route, item]) =>
      Object.entries(item)
        .filter(([key]) => HTTP_METHODS.includes(key))
        .map(([method, value]) => ({ name: `${method.toUpperCase()} ${route}`, value })),
    );
  }

  it('is OpenAPI 3.1', () => {
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
  });

  it('lists exactly the operations demo-core serves under /core/v1', () => {
    const served = core.routes
      .filter((route) => route.url.startsWith('/core/v1/'))
      .map((route) => `${route.method} ${route.url.slice('/core/v1'.length).replace(/:(\w+)/g, '{$1}')}`);
    // demo-core names the path parameter of /users `id`; the document calls it userId.
    const normalise = (operation: string) => operation.replace('/users/{id}', '/users/{userId}');
    expect(served.map(normalise).sort()).toEqual(
      operations()
        .map((operation) => operation.name)
        .sort(),
    );
  });

  it('signs every operation and documents its 401', () => {
    expect(document.security).toEqual([
      { gatewayTimestamp: [], gatewayNonce: [], gatewayContentSha256: [], gatewaySignature: [] },
    ]);
    for (const operation of operations()) {
      // An operation-level `security` would replace the global requirement.
      expect([operation.name, operation.value.security]).toEqual([operation.name, undefined]);
      expect([operation.name, Object.keys(operation.value.responses ?? {})]).toEqual([
        operation.name,
        expect.arrayContaining(['401']),
      ]);
    }
  });

  it('marks only the listing and HEAD content as optional', () => {
    const optional = operations().filter((operation) => operation.value['x-optional'] === true);
    expect(optional.map((operation) => operation.name).sort()).toEqual(['GET /files', 'HEAD /files/{ref}/content']);
  });

  it('names every error code demo-core answers (test switches aside), and only those', () => {
    const documented = document.components.schemas.ErrorCode.enum ?? [];
    const answered = Object.values(DemoCoreErrorCode).filter((code) => code !== DemoCoreErrorCode.InjectedFault);
    expect([...documented].sort()).toEqual([...answered].sort());
  });
});
