import { EMPTY_BODY_SHA256, signRequest } from '@wopi/core-app-client';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readZip } from './read-zip';
import {
  makeDataDir,
  newKey,
  removeDataDir,
  RunningDemoCore,
  sha256,
  SignedInit,
  startDemoCore,
  TEST_SECRET,
} from './demo-core-harness';

// Everything here goes over real HTTP to a real demo-core on 127.0.0.1 with its own data dir,
// and asserts only what a client (the gateway) can observe. The contract as such is checked by
// test/contract (the suite core-app teams run); this file covers demo-core's own behaviour.
jest.setTimeout(30_000);

const SAMPLE_NAMES = ['Budget.xlsx', 'Meeting notes.odt', 'Roadmap.pptx', 'validator.wopitest', 'Welcome.docx'];
const ISO_MS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface FileSummaryBody {
  ref: string;
  name: string;
  size: number;
  version: string;
  lastModifiedTime: string;
}

interface FileMetadataBody extends FileSummaryBody {
  sha256: string;
  ownerId: string;
  permissions: Record<'read' | 'write' | 'rename' | 'delete' | 'createSibling' | 'share', boolean>;
  urls: Record<'view' | 'edit' | 'close' | 'share' | 'versions' | 'folder', string>;
  breadcrumb: Record<'brandName' | 'brandUrl' | 'folderName' | 'folderUrl', string>;
}

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, string> };
}

let dataDir: string;
let core: RunningDemoCore;

beforeAll(async () => {
  dataDir = await makeDataDir();
  core = await startDemoCore(dataDir);
});

afterAll(async () => {
  await core?.close();
  await removeDataDir(dataDir);
});

async function listFiles(target = core): Promise<FileSummaryBody[]> {
  const response = await target.request('/core/v1/files');
  expect(response.status).toBe(200);
  return ((await response.json()) as { files: FileSummaryBody[] }).files;
}

async function refOf(name: string, target = core): Promise<string> {
  const file = (await listFiles(target)).find((f) => f.name === name);
  if (!file) throw new Error(`no file ${name}`);
  return file.ref;
}

async function metadata(ref: string, userId = 'alice'): Promise<FileMetadataBody> {
  const response = await core.request(`/core/v1/files/${ref}?userId=${userId}`);
  expect(response.status).toBe(200);
  return (await response.json()) as FileMetadataBody;
}

async function content(ref: string, userId = 'alice', target = core): Promise<Buffer> {
  const response = await target.request(`/core/v1/files/${ref}/content?userId=${userId}`);
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

async function errorOf(response: Response): Promise<ErrorBody['error']> {
  return ((await response.json()) as ErrorBody).error;
}

/** PUT content with a fresh Idempotency-Key unless `headers` brings one. */
function put(
  ref: string,
  body: Buffer,
  headers: Record<string, string> = {},
  userId = 'alice',
  init: SignedInit = {},
): Promise<Response> {
  return core.request(`/core/v1/files/${ref}/content?userId=${userId}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', 'idempotency-key': newKey(), ...headers },
    body,
    ...init,
  });
}

function createSibling(
  ref: string,
  name: string,
  body: Buffer,
  { userId = 'bob', onConflict = 'fail', key = newKey() }: { userId?: string; onConflict?: string; key?: string } = {},
): Promise<Response> {
  return core.request(
    `/core/v1/files/${ref}/siblings?userId=${userId}&name=${encodeURIComponent(name)}&onConflict=${onConflict}`,
    { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'idempotency-key': key }, body },
  );
}

function rename(ref: string, name: string, userId = 'bob'): Promise<Response> {
  return core.request(`/core/v1/files/${ref}/rename?userId=${userId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
}

async function tempFiles(dir = dataDir): Promise<string[]> {
  return (await readdir(join(dir, 'documents'))).filter((name) => name.endsWith('.tmp'));
}

describe('request signing', () => {
  it('serves /healthz and the /ui pages without a signature', async () => {
    const health = await fetch(`${core.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${core.baseUrl}/ui`)).status).toBe(200);
  });

  it.each([
    ['no signature', { sign: false }, 'missing_signature'],
    ['another secret', { secret: `${TEST_SECRET}x` }, 'bad_signature'],
  ])('answers 401 to %s, naming the scheme and the reason', async (_label, init, reason) => {
    const response = await core.request('/core/v1/files', init);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('GatewaySignature realm="demo-core", version="v1"');
    expect(await response.json()).toEqual({
      error: { code: 'unauthorized', message: expect.any(String), details: { reason } },
    });
  });

  it('refuses a captured request sent again, and still accepts fresh ones', async () => {
    const path = '/core/v1/users/alice';
    const headers = signRequest(TEST_SECRET, {
      method: 'GET',
      pathWithQuery: path,
      contentSha256: EMPTY_BODY_SHA256,
      timestampMs: Date.now(),
    });
    expect((await fetch(`${core.baseUrl}${path}`, { headers })).status).toBe(200);
    const replay = await fetch(`${core.baseUrl}${path}`, { headers });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual({
      error: { code: 'unauthorized', message: expect.any(String), details: { reason: 'replayed' } },
    });
    expect((await core.request(path)).status).toBe(200);
  });

  it('protects content, siblings, users and the test switches too', async () => {
    const ref = await refOf('Welcome.docx');
    for (const path of [
      `/core/v1/files/${ref}/content?userId=alice`,
      `/core/v1/files/${ref}/siblings?userId=alice&name=x.docx`,
      '/core/v1/users/alice',
      '/_control/requests',
    ]) {
      expect((await core.request(path, { sign: false })).status).toBe(401);
    }
  });

  it('accepts the previous secret during a rotation, and no other', async () => {
    const dir = await makeDataDir();
    const rotating = await startDemoCore(dir, {
      apiSecret: 'the-new-secret-0123456789',
      previousApiSecret: TEST_SECRET,
    });
    try {
      expect((await rotating.request('/core/v1/files', { secret: 'the-new-secret-0123456789' })).status).toBe(200);
      expect((await rotating.request('/core/v1/files', { secret: TEST_SECRET })).status).toBe(200);
      expect((await rotating.request('/core/v1/files', { secret: 'a-third-secret-0123456789' })).status).toBe(401);
    } finally {
      await rotating.close();
      await removeDataDir(dir);
    }
  });

  it('refuses a bodyless request signed with the digest of a body', async () => {
    const response = await core.request('/core/v1/users/alice', { signedSha256: sha256('something') });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('digest_mismatch');
  });

  it('removes the temp file of an upload whose digest does not match, and keeps the document', async () => {
    const ref = await refOf('Budget.xlsx');
    const before = await metadata(ref);
    const response = await put(ref, randomBytes(500_000), {}, 'alice', { signedSha256: sha256('another body') });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('digest_mismatch');
    expect(await metadata(ref)).toEqual(before);
    expect(await tempFiles()).toEqual([]);
  });

  it('echoes the gateway request ID, and takes its trace context', async () => {
    const response = await core.request('/core/v1/users/alice', {
      headers: { 'x-request-id': 'req-123', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('req-123');
  });
});

describe('GET /core/v1/files', () => {
  it('lists the five seeded samples', async () => {
    const files = await listFiles();
    expect(files.map((f) => f.name).sort()).toEqual([...SAMPLE_NAMES].sort());
    for (const file of files) {
      expect(file).toEqual({
        ref: expect.stringMatching(/^doc-[a-z0-9-]+$/),
        name: expect.any(String),
        size: expect.any(Number),
        version: expect.stringMatching(/^\d+$/),
        lastModifiedTime: expect.stringMatching(ISO_MS_UTC),
      });
    }
    expect(new Set(files.map((f) => f.ref)).size).toBe(files.length);
  });
});

describe('GET /core/v1/files/:ref', () => {
  it('gives each user their own permissions, the content digest, links and breadcrumb', async () => {
    const ref = await refOf('Budget.xlsx');
    const alice = await metadata(ref, 'alice');
    const page = `${core.baseUrl}/ui/files/${ref}`;
    expect(alice).toEqual({
      ref,
      name: 'Budget.xlsx',
      size: expect.any(Number),
      version: expect.stringMatching(/^\d+$/),
      sha256: sha256(await content(ref)),
      ownerId: 'alice',
      lastModifiedTime: expect.stringMatching(ISO_MS_UTC),
      permissions: { read: true, write: true, rename: true, delete: true, createSibling: true, share: true },
      urls: {
        view: page,
        edit: `${page}?action=edit`,
        close: `${core.baseUrl}/ui`,
        share: `${page}#access`,
        versions: `${page}#versions`,
        folder: `${core.baseUrl}/ui`,
      },
      breadcrumb: {
        brandName: 'Demo Core',
        brandUrl: `${core.baseUrl}/ui`,
        folderName: 'Shared documents',
        folderUrl: `${core.baseUrl}/ui`,
      },
    });
    expect((await metadata(ref, 'bob')).permissions).toEqual({
      read: true,
      write: true,
      rename: true,
      delete: false,
      createSibling: true,
      share: true,
    });
    expect((await metadata(ref, 'carol')).permissions).toEqual(expect.objectContaining({ read: true, write: false }));
  });

  it('builds the links from DEMO_CORE_PUBLIC_URL when it is set', async () => {
    const dir = await makeDataDir();
    const published = await startDemoCore(dir, { publicUrl: 'https://docs.example.com' });
    try {
      const ref = await refOf('Welcome.docx', published);
      const response = await published.request(`/core/v1/files/${ref}?userId=alice`);
      const body = (await response.json()) as FileMetadataBody;
      expect(body.urls.view).toBe(`https://docs.example.com/ui/files/${ref}`);
      expect(body.breadcrumb.folderUrl).toBe('https://docs.example.com/ui');
    } finally {
      await published.close();
      await removeDataDir(dir);
    }
  });

  it('answers 403 to a user without access and to an unknown user, 404 to an unknown file', async () => {
    const ref = await refOf('Budget.xlsx');
    for (const userId of ['dave', 'mallory']) {
      const response = await core.request(`/core/v1/files/${ref}?userId=${userId}`);
      expect(response.status).toBe(403);
      expect((await errorOf(response)).code).toBe('forbidden');
    }
    const missing = await core.request('/core/v1/files/doc-nope?userId=dave');
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe('not_found');
  });
});

describe('GET and HEAD /core/v1/files/:ref/content', () => {
  it('streams a valid document with length and version headers', async () => {
    const ref = await refOf('Welcome.docx');
    const meta = await metadata(ref, 'carol');
    const response = await core.request(`/core/v1/files/${ref}/content?userId=carol`);
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe(`"${meta.version}"`);
    expect(response.headers.get('x-core-version')).toBe(meta.version);
    expect(response.headers.get('content-length')).toBe(String(meta.size));
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(sha256(bytes)).toBe(meta.sha256);
    const document = readZip(bytes).find((entry) => entry.name === 'word/document.xml');
    expect(document?.data.toString()).toContain('Welcome to the WOPI Gateway demo');
  });

  it('answers HEAD with the headers only', async () => {
    const ref = await refOf('Roadmap.pptx');
    const meta = await metadata(ref);
    const response = await core.request(`/core/v1/files/${ref}/content?userId=alice`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(meta.size));
    expect(response.headers.get('etag')).toBe(`"${meta.version}"`);
    expect((await response.arrayBuffer()).byteLength).toBe(0);
  });
});

describe('PUT /core/v1/files/:ref/content', () => {
  it('requires an Idempotency-Key', async () => {
    const ref = await refOf('Meeting notes.odt');
    const response = await core.request(`/core/v1/files/${ref}/content?userId=alice`, {
      method: 'PUT',
      body: Buffer.from('x'),
    });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toMatch(/Idempotency-Key is required/);
  });

  it('answers 412 with details.currentVersion and the version headers to a stale If-Match', async () => {
    const ref = await refOf('Budget.xlsx');
    const stale = (await metadata(ref)).version;
    expect((await put(ref, Buffer.from('first'), { 'if-match': `"${stale}"` })).status).toBe(200);
    const now = String(Number(stale) + 1);
    const response = await put(ref, Buffer.from('stale write'), { 'if-match': `"${stale}"` });
    expect(response.status).toBe(412);
    expect(response.headers.get('etag')).toBe(`"${now}"`);
    expect(await errorOf(response)).toEqual({
      code: 'version_mismatch',
      message: expect.any(String),
      details: { currentVersion: now },
    });
    expect((await content(ref)).toString()).toBe('first');
  });

  it('answers 400 to a malformed If-Match', async () => {
    const response = await put(await refOf('Budget.xlsx'), Buffer.from('x'), { 'if-match': '3' });
    expect(response.status).toBe(400);
  });

  it('replays any remembered key, not only the last one, until it is reused differently', async () => {
    const ref = await refOf('Roadmap.pptx');
    const first = { key: newKey(), body: Buffer.from('first keyed write') };
    const firstResult = (await (
      await put(ref, first.body, { 'idempotency-key': first.key })
    ).json()) as FileMetadataBody;
    for (let i = 0; i < 3; i += 1) expect((await put(ref, Buffer.from(`later ${i}`))).status).toBe(200);

    const replay = await put(ref, first.body, { 'idempotency-key': first.key });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json()).toEqual(firstResult);
    expect((await content(ref)).toString()).toBe('later 2');

    const reused = await put(ref, Buffer.from('different'), { 'idempotency-key': first.key });
    expect(reused.status).toBe(422);
    const otherUser = await put(ref, first.body, { 'idempotency-key': first.key }, 'bob');
    expect(otherUser.status).toBe(422);
  });

  it('writes once when a retry races its original', async () => {
    const ref = await refOf('Roadmap.pptx');
    const start = Number((await metadata(ref)).version);
    const body = randomBytes(2_000_000);
    const key = newKey();
    const responses = await Promise.all([
      put(ref, body, { 'idempotency-key': key }),
      put(ref, body, { 'idempotency-key': key }),
    ]);
    const results = await Promise.all(responses.map(async (response) => (await response.json()) as FileMetadataBody));
    expect(responses.map((response) => response.status)).toEqual([200, 200]);
    expect(results.map((result) => result.version)).toEqual([String(start + 1), String(start + 1)]);
    expect(responses.filter((response) => response.headers.get('idempotent-replayed') === 'true')).toHaveLength(1);
    expect((await metadata(ref)).version).toBe(String(start + 1));
  });

  it('gives 10 concurrent writes 10 distinct consecutive versions', async () => {
    const ref = await refOf('Welcome.docx');
    const start = Number((await metadata(ref)).version);
    const bodies = Array.from({ length: 10 }, (_, i) => Buffer.from(`concurrent write ${i} `.repeat(5000)));
    const responses = await Promise.all(bodies.map((body) => put(ref, body)));
    const results = await Promise.all(
      responses.map(async (response) => {
        expect(response.status).toBe(200);
        return (await response.json()) as FileMetadataBody;
      }),
    );
    const versions = results.map((result) => Number(result.version)).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 10 }, (_, i) => start + 1 + i));
    const last = results.findIndex((result) => Number(result.version) === start + 10);
    expect((await content(ref)).equals(bodies[last])).toBe(true);
  });

  it('accepts an empty body, and any content type as raw bytes', async () => {
    const ref = await refOf('validator.wopitest');
    const empty = await core.request(`/core/v1/files/${ref}/content?userId=alice`, {
      method: 'PUT',
      headers: { 'idempotency-key': newKey() },
    });
    expect(empty.status).toBe(200);
    expect(((await empty.json()) as FileMetadataBody).size).toBe(0);
    const json = Buffer.from('{"not":"parsed"}');
    expect((await put(ref, json, { 'content-type': 'application/json' })).status).toBe(200);
    expect((await content(ref)).equals(json)).toBe(true);
  });
});

describe('siblings', () => {
  it('creates a file owned by its creator, who may then delete it', async () => {
    const source = await refOf('Welcome.docx');
    const response = await createSibling(source, 'Bob notes.docx', Buffer.from('bob'));
    expect(response.status).toBe(201);
    const created = (await response.json()) as FileMetadataBody;
    expect(created).toEqual(
      expect.objectContaining({ name: 'Bob notes.docx', ownerId: 'bob', version: '1', sha256: sha256('bob') }),
    );
    expect(created.permissions.delete).toBe(true);
    expect(created.ref).toMatch(/^doc-bob-notes-docx/);
    const removed = await core.request(`/core/v1/files/${created.ref}?userId=bob`, { method: 'DELETE' });
    expect(removed.status).toBe(204);
  });

  it('treats names case-insensitively and suggests the next free counter', async () => {
    const source = await refOf('Welcome.docx');
    const response = await createSibling(source, 'welcome.DOCX', Buffer.from('x'));
    expect(response.status).toBe(409);
    expect((await errorOf(response)).details).toEqual({ existingRef: source, suggestedName: 'welcome (1).DOCX' });
    const found = await core.request(`/core/v1/files/${source}/siblings?userId=bob&name=WELCOME.docx`);
    expect(((await found.json()) as FileMetadataBody).ref).toBe(source);
  });

  it('creates each of several concurrent rename-mode uploads under its own name', async () => {
    const source = await refOf('Welcome.docx');
    const responses = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        createSibling(source, 'Copy.docx', Buffer.from(`copy ${i}`), { onConflict: 'rename' }),
      ),
    );
    const names = await Promise.all(responses.map(async (r) => ((await r.json()) as FileMetadataBody).name));
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect(names.sort()).toEqual(['Copy (1).docx', 'Copy (2).docx', 'Copy (3).docx', 'Copy.docx']);
  });

  it('creates one file when a retry races its original', async () => {
    const source = await refOf('Welcome.docx');
    const key = newKey();
    const body = randomBytes(1_000_000);
    const responses = await Promise.all([
      createSibling(source, 'Raced.docx', body, { key, onConflict: 'rename' }),
      createSibling(source, 'Raced.docx', body, { key, onConflict: 'rename' }),
    ]);
    const refs = await Promise.all(responses.map(async (r) => ((await r.json()) as FileMetadataBody).ref));
    expect(responses.map((r) => r.status)).toEqual([201, 201]);
    expect(refs[0]).toBe(refs[1]);
    expect((await listFiles()).filter((file) => file.name.startsWith('Raced'))).toHaveLength(1);
  });

  it('overwrites only with write permission on the existing file, and honours If-Match', async () => {
    const source = await refOf('Welcome.docx');
    const target = await refOf('Budget.xlsx');
    const version = (await metadata(target)).version;
    // carol may not even create siblings; bob may overwrite alice's file (editor role).
    const viewer = await createSibling(source, 'Budget.xlsx', Buffer.from('x'), {
      userId: 'carol',
      onConflict: 'overwrite',
    });
    expect(viewer.status).toBe(403);
    const stale = await core.request(
      `/core/v1/files/${source}/siblings?userId=bob&name=Budget.xlsx&onConflict=overwrite`,
      { method: 'POST', headers: { 'idempotency-key': newKey(), 'if-match': '"999999"' }, body: Buffer.from('x') },
    );
    expect(stale.status).toBe(412);
    expect((await errorOf(stale)).details).toEqual({ currentVersion: version });
    const ok = await core.request(
      `/core/v1/files/${source}/siblings?userId=bob&name=Budget.xlsx&onConflict=overwrite`,
      {
        method: 'POST',
        headers: { 'idempotency-key': newKey(), 'if-match': `"${version}"` },
        body: Buffer.from('new'),
      },
    );
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as FileMetadataBody).ref).toBe(target);
    const withoutOverwrite = await core.request(
      `/core/v1/files/${source}/siblings?userId=bob&name=Other.xlsx&onConflict=fail`,
      { method: 'POST', headers: { 'idempotency-key': newKey(), 'if-match': '"1"' }, body: Buffer.from('x') },
    );
    expect(withoutOverwrite.status).toBe(400);
  });

  it('never hands out the ref of a deleted file again', async () => {
    const source = await refOf('Welcome.docx');
    const first = (await (await createSibling(source, 'Reused.docx', Buffer.from('1'))).json()) as FileMetadataBody;
    expect((await core.request(`/core/v1/files/${first.ref}?userId=bob`, { method: 'DELETE' })).status).toBe(204);
    const second = (await (await createSibling(source, 'Reused.docx', Buffer.from('2'))).json()) as FileMetadataBody;
    expect(second.ref).not.toBe(first.ref);
    expect(second.version).toBe('1');
  });
});

describe('rename', () => {
  it('keeps ref, version and content, and frees the old name', async () => {
    const source = await refOf('Welcome.docx');
    const created = (await (await createSibling(source, 'Draft.docx', Buffer.from('d'))).json()) as FileMetadataBody;
    const response = await rename(created.ref, 'Final.docx');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(
      expect.objectContaining({ ref: created.ref, name: 'Final.docx', version: created.version }),
    );
    expect((await createSibling(source, 'Draft.docx', Buffer.from('again'))).status).toBe(201);
  });

  it('allows a change of case only, and a rename to the current name', async () => {
    const source = await refOf('Welcome.docx');
    const created = (await (await createSibling(source, 'case.docx', Buffer.from('c'))).json()) as FileMetadataBody;
    expect((await rename(created.ref, 'CASE.docx')).status).toBe(200);
    expect((await rename(created.ref, 'CASE.docx')).status).toBe(200);
    expect((await metadata(created.ref, 'bob')).name).toBe('CASE.docx');
  });

  it('refuses a taken name with a suggestion, and names the broken rule', async () => {
    const ref = await refOf('Roadmap.pptx');
    const conflict = await rename(ref, 'Budget.xlsx');
    expect(conflict.status).toBe(409);
    expect((await errorOf(conflict)).details).toEqual({
      existingRef: await refOf('Budget.xlsx'),
      suggestedName: 'Budget (1).xlsx',
    });
    const invalid = await rename(ref, 'CON.pptx');
    expect(invalid.status).toBe(400);
    expect(await errorOf(invalid)).toEqual(
      expect.objectContaining({ code: 'invalid_name', details: { reason: 'reserved_name' } }),
    );
  });
});

describe('GET /core/v1/users/:id', () => {
  it('returns a profile, and 404 for an unknown user', async () => {
    const response = await core.request('/core/v1/users/bob');
    expect(await response.json()).toEqual({
      id: 'bob',
      displayName: 'Bob Brown',
      email: 'bob@demo-core.example',
      avatarUrl: expect.stringMatching(/^data:image\/svg\+xml;base64,/),
    });
    const unknown = await core.request('/core/v1/users/mallory');
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).code).toBe('not_found');
  });
});

describe('unknown routes', () => {
  it('answer 404 in the shared error shape', async () => {
    const response = await core.request('/core/v2/files');
    expect(response.status).toBe(404);
    expect((await errorOf(response)).code).toBe('not_found');
  });
});

describe('upload limit', () => {
  it('answers 413 to a body over the limit and keeps the document', async () => {
    const smallDir = await makeDataDir();
    const small = await startDemoCore(smallDir, { maxUploadBytes: 1024 });
    try {
      const ref = await refOf('validator.wopitest', small);
      const response = await small.request(`/core/v1/files/${ref}/content?userId=alice`, {
        method: 'PUT',
        headers: { 'idempotency-key': newKey() },
        body: randomBytes(2048),
      });
      expect(response.status).toBe(413);
      expect((await errorOf(response)).code).toBe('payload_too_large');
      expect((await listFiles(small)).find((f) => f.ref === ref)?.version).toBe('1');
    } finally {
      await small.close();
      await removeDataDir(smallDir);
    }
  });
});

describe('restart', () => {
  it('keeps files, names, versions, remembered keys and deleted refs on the same data dir', async () => {
    const dir = await makeDataDir();
    let first: RunningDemoCore | undefined = await startDemoCore(dir);
    let second: RunningDemoCore | undefined;
    try {
      const ref = await refOf('Budget.xlsx', first);
      const body = randomBytes(5000);
      for (let i = 0; i < 3; i += 1) {
        const response = await first.request(`/core/v1/files/${ref}/content?userId=alice`, {
          method: 'PUT',
          body,
          headers: { 'idempotency-key': `restart-${i}` },
        });
        expect(response.status).toBe(200);
      }
      const roadmap = await refOf('Roadmap.pptx', first);
      expect((await first.request(`/core/v1/files/${roadmap}?userId=alice`, { method: 'DELETE' })).status).toBe(204);
      const before = await listFiles(first);
      await first.close();
      first = undefined;

      second = await startDemoCore(dir);
      const after = await listFiles(second);
      expect(after).toEqual(before);
      expect(after.find((f) => f.ref === ref)?.version).toBe('4');
      expect((await content(ref, 'alice', second)).equals(body)).toBe(true);

      const replay = await second.request(`/core/v1/files/${ref}/content?userId=alice`, {
        method: 'PUT',
        body,
        headers: { 'idempotency-key': 'restart-0' },
      });
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(((await replay.json()) as FileMetadataBody).version).toBe('2');

      const next = await second.request(`/core/v1/files/${ref}/content?userId=alice`, {
        method: 'PUT',
        body,
        headers: { 'idempotency-key': newKey() },
      });
      expect(((await next.json()) as FileMetadataBody).version).toBe('5');

      // A new Roadmap.pptx gets a new ref: the gateway may still know the deleted one.
      const source = await refOf('Welcome.docx', second);
      const recreated = await second.request(
        `/core/v1/files/${source}/siblings?userId=alice&name=Roadmap.pptx&onConflict=fail`,
        { method: 'POST', headers: { 'idempotency-key': newKey() }, body: Buffer.from('new') },
      );
      expect(recreated.status).toBe(201);
      expect(((await recreated.json()) as FileMetadataBody).ref).not.toBe(roadmap);
    } finally {
      await first?.close();
      await second?.close();
      await removeDataDir(dir);
    }
  });

  it('reads a record of format 1 and still replays its last keyed write', async () => {
    const dir = await makeDataDir();
    let running: RunningDemoCore | undefined = await startDemoCore(dir);
    try {
      const ref = await refOf('Meeting notes.odt', running);
      const body = Buffer.from('written by an older demo-core');
      const response = await running.request(`/core/v1/files/${ref}/content?userId=bob`, {
        method: 'PUT',
        body,
        headers: { 'idempotency-key': 'old-key' },
      });
      const written = (await response.json()) as FileMetadataBody;
      await running.close();
      running = undefined;

      // Rewrite the record as format 1 wrote it: only the last keyed write, with user and digest.
      const recordPath = join(dir, 'documents', `${ref}.json`);
      const record = JSON.parse(await readFile(recordPath, 'utf8'));
      const [write] = record.idempotentWrites;
      delete record.idempotentWrites;
      record.format = 1;
      record.lastIdempotentWrite = {
        key: write.key,
        userId: 'bob',
        sha256: write.sha256,
        version: write.version,
        size: write.size,
        lastModifiedTime: write.lastModifiedTime,
      };
      await writeFile(recordPath, JSON.stringify(record));

      running = await startDemoCore(dir);
      const replay = await running.request(`/core/v1/files/${ref}/content?userId=bob`, {
        method: 'PUT',
        body,
        headers: { 'idempotency-key': 'old-key' },
      });
      expect(replay.status).toBe(200);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(((await replay.json()) as FileMetadataBody).version).toBe(written.version);
    } finally {
      await running?.close();
      await removeDataDir(dir);
    }
  });
});
