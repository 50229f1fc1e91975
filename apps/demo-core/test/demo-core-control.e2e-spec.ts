import { signRequest } from '@wopi/core-app-client';
import { randomBytes } from 'node:crypto';
import { get } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import {
  makeDataDir,
  newKey,
  removeDataDir,
  RunningDemoCore,
  sha256,
  startDemoCore,
  TEST_SECRET,
} from './demo-core-harness';

// The test switches under /_control (fault injection, external edits, the request log) and
// demo-core's own pages under /ui: the tools the gateway's fault and conflict tests rely on.
jest.setTimeout(30_000);

interface RequestLogBody {
  count: number;
  requests: {
    seq: number;
    method: string;
    path: string;
    userId: string | null;
    idempotencyKey: string | null;
    fault: string | null;
    status: number | null;
    outcome: string;
    replayed: boolean;
  }[];
}

let dataDir: string;
let core: RunningDemoCore;
let ref: string;

beforeAll(async () => {
  dataDir = await makeDataDir();
  core = await startDemoCore(dataDir);
  const { files } = (await (await core.request('/core/v1/files')).json()) as { files: { ref: string; name: string }[] };
  ref = files.find((file) => file.name === 'Meeting notes.odt')!.ref;
});

afterEach(async () => {
  await setFault({ mode: 'none' });
});

afterAll(async () => {
  await core?.close();
  await removeDataDir(dataDir);
});

async function setFault(fault: object): Promise<Response> {
  const body = JSON.stringify(fault);
  return core.request('/_control/fault', { method: 'PUT', headers: { 'content-type': 'application/json' }, body });
}

async function requestLog(since = 0): Promise<RequestLogBody> {
  return (await (await core.request(`/_control/requests?since=${since}`)).json()) as RequestLogBody;
}

/** The seq of the newest logged request: later entries are the test's own. */
async function logMark(): Promise<number> {
  return (await requestLog()).requests.at(-1)?.seq ?? 0;
}

function getMetadata(userId = 'alice', signal?: AbortSignal): Promise<Response> {
  return core.request(`/core/v1/files/${ref}?userId=${userId}`, { signal });
}

describe('/_control', () => {
  it('does not exist unless DEMO_CORE_FAULTS=enabled', async () => {
    const dir = await makeDataDir();
    const plain = await startDemoCore(dir, { faultsEnabled: false });
    try {
      expect((await plain.request('/_control/requests')).status).toBe(404);
    } finally {
      await plain.close();
      await removeDataDir(dir);
    }
  });

  it('validates the fault it is given', async () => {
    expect((await setFault({ mode: 'explode' })).status).toBe(400);
    expect((await setFault({ mode: 'error', status: 200 })).status).toBe(400);
    const badPattern = await setFault({ mode: 'error', paths: '(' });
    expect(badPattern.status).toBe(400);
    expect(((await badPattern.json()) as { error: { message: string } }).error.message).toMatch(/^paths: /);
  });
});

describe('fault injection', () => {
  it('answers an error with the configured status for `remaining` requests, then recovers', async () => {
    const set = await setFault({ mode: 'error', status: 503, remaining: 2 });
    expect(await set.json()).toEqual(expect.objectContaining({ mode: 'error', status: 503, remaining: 2 }));
    for (let i = 0; i < 2; i += 1) {
      const response = await getMetadata();
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        error: { code: 'injected_fault', message: expect.any(String), details: { status: 503 } },
      });
    }
    expect((await getMetadata()).status).toBe(200);
    expect(await (await core.request('/_control/fault')).json()).toEqual(expect.objectContaining({ mode: 'none' }));
  });

  it('applies only to matching paths and methods', async () => {
    await setFault({ mode: 'error', paths: '/content$', methods: ['PUT'] });
    expect((await getMetadata()).status).toBe(200);
    expect((await core.request(`/core/v1/files/${ref}/content?userId=alice`)).status).toBe(200);
    const put = await core.request(`/core/v1/files/${ref}/content?userId=alice`, {
      method: 'PUT',
      headers: { 'idempotency-key': newKey() },
      body: Buffer.from('x'),
    });
    expect(put.status).toBe(500);
  });

  it('counts only signed requests against `remaining`', async () => {
    await setFault({ mode: 'error', remaining: 1 });
    expect((await core.request(`/core/v1/files/${ref}?userId=alice`, { sign: false })).status).toBe(401);
    expect((await getMetadata()).status).toBe(500);
  });

  it('answers late with `slow`', async () => {
    await setFault({ mode: 'slow', delayMs: 300 });
    const started = Date.now();
    expect((await getMetadata()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('never answers with `hang`, until the client gives up', async () => {
    await setFault({ mode: 'hang' });
    const mark = await logMark();
    await expect(getMetadata('alice', AbortSignal.timeout(300))).rejects.toThrow();
    await setFault({ mode: 'none' });
    await sleep(50);
    const [entry] = (await requestLog(mark)).requests;
    expect(entry).toEqual(expect.objectContaining({ fault: 'hang', outcome: 'abandoned', status: null }));
  });

  it('lets the server shut down while a request hangs', async () => {
    const dir = await makeDataDir();
    const other = await startDemoCore(dir);
    try {
      await other.request('/_control/fault', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ mode: 'hang' }),
      });
      const hanging = other.request('/core/v1/users/alice').then(
        (response) => `answered ${response.status}`,
        (error: Error) => error.message,
      );
      await sleep(100);
      const started = Date.now();
      await other.close();
      expect(Date.now() - started).toBeLessThan(2000);
      expect(await hanging).toBe('fetch failed');
    } finally {
      await removeDataDir(dir);
    }
  });

  it('resets the connection with `reset`', async () => {
    await setFault({ mode: 'reset', remaining: 1 });
    const mark = await logMark();
    const outcome = await core.request('/core/v1/users/alice').then(
      (response) => `answered ${response.status}`,
      // fetch's errors come from another realm than Jest's, so compare what they say.
      (error: Error) => (error.cause as NodeJS.ErrnoException | undefined)?.code,
    );
    expect(outcome).toBe('ECONNRESET');
    const entries = (await requestLog(mark)).requests;
    expect(entries.at(-1)).toEqual(expect.objectContaining({ fault: 'reset', outcome: 'reset' }));
  });
});

let rawRequests = 0;

/** A signed GET read as raw bytes off its own socket (fetch would inflate gzip and hide how the body ended). */
function rawGet(
  pathWithQuery: string,
): Promise<{ status?: number; headers: Record<string, unknown>; body: Buffer; complete: boolean }> {
  const headers = signRequest(TEST_SECRET, {
    method: 'GET',
    pathWithQuery,
    contentSha256: sha256(''),
    // Distinct from any other request signed in the same millisecond (a replay otherwise).
    timestampMs: Date.now() - ++rawRequests,
  });
  return new Promise((resolve, reject) => {
    get(`${core.baseUrl}${pathWithQuery}`, { agent: false, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      const done = () =>
        resolve({
          status: response.statusCode,
          headers: response.headers,
          body: Buffer.concat(chunks),
          complete: response.complete,
        });
      response.on('end', done);
      response.on('error', done);
    }).on('error', reject);
  });
}

describe('answer faults on content', () => {
  const contentPath = () => `/core/v1/files/${ref}/content?userId=alice`;

  it('gzip the body with `gzip`', async () => {
    const plain = await rawGet(contentPath());
    expect(plain).toMatchObject({ status: 200, complete: true });
    expect((await setFault({ mode: 'gzip', paths: '/content$' })).status).toBe(200);
    const zipped = await rawGet(contentPath());
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
  });

  it('announce a wrong Content-Length with `wrong-length`', async () => {
    const plain = await rawGet(contentPath());
    expect((await setFault({ mode: 'wrong-length', lengthDelta: 5, paths: '/content$' })).status).toBe(200);
    const longer = await rawGet(contentPath());
    expect(Number(longer.headers['content-length'])).toBe(plain.body.length + 5);
    expect(longer.complete).toBe(false);
    expect((await setFault({ mode: 'wrong-length', lengthDelta: 0 })).status).toBe(400);
  });

  it('cut the body off with `truncate`', async () => {
    const plain = await rawGet(contentPath());
    expect((await setFault({ mode: 'truncate', truncateAfterBytes: 10, paths: '/content$' })).status).toBe(200);
    const cut = await rawGet(contentPath());
    expect(Number(cut.headers['content-length'])).toBe(plain.body.length);
    expect(cut.complete).toBe(false);
    expect(cut.body.equals(plain.body.subarray(0, 10))).toBe(true);
  });
});

describe('external edits', () => {
  it('create a new version behind the gateway, so its next write gets 412', async () => {
    const before = (await (await getMetadata()).json()) as { version: string };
    const body = Buffer.from('edited in the core app');
    const edit = await core.request(`/_control/files/${ref}/external-edit`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body,
    });
    expect(edit.status).toBe(200);
    const edited = (await edit.json()) as { version: string; sha256: string };
    expect(edited.version).toBe(String(Number(before.version) + 1));
    expect(edited.sha256).toBe(sha256(body));

    const write = await core.request(`/core/v1/files/${ref}/content?userId=bob`, {
      method: 'PUT',
      headers: { 'idempotency-key': newKey(), 'if-match': `"${before.version}"` },
      body: Buffer.from('the gateway write-back'),
    });
    expect(write.status).toBe(412);
  });

  it('write a generated change when sent without a body', async () => {
    const before = (await (await getMetadata()).json()) as { version: string; sha256: string };
    const edit = await core.request(`/_control/files/${ref}/external-edit`, { method: 'POST' });
    expect(edit.status).toBe(200);
    const edited = (await edit.json()) as { version: string; sha256: string };
    expect(edited.version).not.toBe(before.version);
    expect(edited.sha256).not.toBe(before.sha256);
  });

  it('answer 404 for an unknown file', async () => {
    expect((await core.request('/_control/files/doc-nope/external-edit', { method: 'POST' })).status).toBe(404);
  });
});

describe('withdrawn permissions', () => {
  const withdraw = (userId: string, permissions: string[]) =>
    core.request(`/_control/users/${userId}/withdrawn-permissions`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ permissions }),
    });

  it('take a permission from a user until it is given back, as an access change in the core app would', async () => {
    expect((await withdraw('bob', ['write'])).status).toBe(200);
    try {
      const metadata = (await (await getMetadata('bob')).json()) as { permissions: { read: boolean; write: boolean } };
      expect(metadata.permissions).toMatchObject({ read: true, write: false });
      const write = await core.request(`/core/v1/files/${ref}/content?userId=bob`, {
        method: 'PUT',
        headers: { 'idempotency-key': newKey() },
        body: Buffer.from('a write bob may no longer make'),
      });
      expect(write.status).toBe(403);
      // Others keep theirs.
      expect(
        ((await (await getMetadata('alice')).json()) as { permissions: { write: boolean } }).permissions.write,
      ).toBe(true);
    } finally {
      expect((await withdraw('bob', [])).status).toBe(200);
    }
    expect(((await (await getMetadata('bob')).json()) as { permissions: { write: boolean } }).permissions.write).toBe(
      true,
    );
  });

  it('refuse a permission that does not exist', async () => {
    expect((await withdraw('bob', ['everything'])).status).toBe(400);
  });
});

describe('the request log', () => {
  it('records each contract request with its key and outcome, so "exactly once" can be asserted', async () => {
    const mark = await logMark();
    const key = newKey();
    const body = randomBytes(1000);
    for (let i = 0; i < 2; i += 1) {
      const response = await core.request(`/core/v1/files/${ref}/content?userId=bob`, {
        method: 'PUT',
        headers: { 'idempotency-key': key },
        body,
      });
      expect(response.status).toBe(200);
    }
    await core.request(`/core/v1/files/${ref}?userId=alice`, { sign: false });
    await sleep(20);
    const { requests } = await requestLog(mark);
    expect(requests).toEqual([
      expect.objectContaining({ method: 'PUT', userId: 'bob', idempotencyKey: key, status: 200, replayed: false }),
      expect.objectContaining({ method: 'PUT', userId: 'bob', idempotencyKey: key, status: 200, replayed: true }),
      expect.objectContaining({ method: 'GET', path: `/core/v1/files/${ref}`, status: 401, outcome: 'answered' }),
    ]);
    // Its own requests are not in it.
    expect(requests.some((entry) => entry.path.startsWith('/_control'))).toBe(false);
  });

  it('can be cleared', async () => {
    expect((await core.request('/_control/requests', { method: 'DELETE' })).status).toBe(204);
    await getMetadata();
    const log = await requestLog();
    expect(log.count).toBe(1);
    expect(log.requests).toHaveLength(1);
  });
});

describe('/ui', () => {
  it('lists the documents with their versions', async () => {
    const response = await fetch(`${core.baseUrl}/ui`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await response.text();
    expect(page).toContain('<h1>Shared documents</h1>');
    expect(page).toContain(`href="/ui/files/${ref}"`);
    expect(page).toContain('Meeting notes.odt');
  });

  it('shows a document, its version, digest and access, with names escaped', async () => {
    const created = await core.request(
      `/core/v1/files/${ref}/siblings?userId=bob&name=${encodeURIComponent("Tom & Jerry's.docx")}`,
      { method: 'POST', headers: { 'idempotency-key': newKey() }, body: Buffer.from('x') },
    );
    const file = (await created.json()) as { ref: string; version: string; sha256: string };
    const page = await (await fetch(`${core.baseUrl}/ui/files/${file.ref}?action=edit`)).text();
    expect(page).toContain('<h1>Tom &amp; Jerry&#39;s.docx</h1>');
    expect(page).not.toContain("Tom & Jerry's");
    expect(page).toContain('id="versions"');
    expect(page).toContain(file.sha256);
    expect(page).toContain('id="access"');
    expect(page).toContain('Dave Davis (dave)</td>');
    expect(page).toContain('edited in the office editor');
  });

  it('answers 404 for an unknown document', async () => {
    expect((await fetch(`${core.baseUrl}/ui/files/doc-nope`)).status).toBe(404);
  });
});
