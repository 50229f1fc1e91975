/**
 * The hot-path caches across two api processes (docs/adr/0017-hot-path-caches.md): a save made
 * through one is seen by the other at once, a revocation takes effect at once, and a permission the
 * core app withdraws is honoured within the tenant's permission-cache lifetime.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '@wopi/db';
import { type ApiProcess, startApiProcess } from '../support/api-process';
import { startDemoCore, type RunningDemoCore } from '../support/demo-core';
import { createTestTenant, testPrisma, type TestTenant } from '../support/test-tenant';
import { waitFor } from '../support/wait-for';

const PERMISSION_CACHE_TTL_MS = 3_000;

describe('hot-path caches across two api processes', () => {
  let core: RunningDemoCore;
  let prisma: PrismaClient;
  let apis: ApiProcess[];
  let tenant: TestTenant;

  beforeAll(async () => {
    core = await startDemoCore();
    prisma = testPrisma();
    apis = await Promise.all([startApiProcess(), startApiProcess()]);
    tenant = await createTestTenant(prisma, core, { permissionCacheTtlMs: PERMISSION_CACHE_TTL_MS });
  }, 60_000);

  afterAll(async () => {
    await Promise.all((apis ?? []).map((api) => api.stop()));
    await core?.close();
    await prisma?.$disconnect();
  });

  async function openSession(name: string, userId: string) {
    const response = await fetch(`${apis[0].url}/api/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.sessionApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fileRef: await core.refOf(name), userId }),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { fileId: string; accessToken: string; sessionId: string };
  }

  const wopi = (api: ApiProcess, s: { fileId: string; accessToken: string }, path = '', init: RequestInit = {}) =>
    fetch(`${api.url}/wopi/files/${s.fileId}${path}?access_token=${encodeURIComponent(s.accessToken)}`, init);

  async function checkFileInfo(api: ApiProcess, s: { fileId: string; accessToken: string }) {
    const response = await wopi(api, s);
    return { status: response.status, info: response.ok ? ((await response.json()) as Record<string, unknown>) : {} };
  }

  it('shows a save made through one process in the other at once', async () => {
    const s = await openSession('Welcome.docx', 'alice');
    const [a, b] = apis;
    // Both processes have the file, its version and the core app's answer cached.
    const before = await checkFileInfo(b, s);
    expect(before.status).toBe(200);
    expect((await checkFileInfo(a, s)).status).toBe(200);

    expect(
      (await wopi(a, s, '', { method: 'POST', headers: { 'x-wopi-override': 'LOCK', 'x-wopi-lock': 'L' } })).status,
    ).toBe(200);
    for (let round = 0; round < 3; round++) {
      const body = randomBytes(2048 + round);
      const saved = await wopi(a, s, '/contents', {
        method: 'POST',
        headers: { 'x-wopi-override': 'PUT', 'x-wopi-lock': 'L', 'content-type': 'application/octet-stream' },
        body,
      });
      expect(saved.status).toBe(200);
      const version = saved.headers.get('x-wopi-itemversion');
      // No wait: the other process answers with the new version as soon as the save answered.
      const after = await checkFileInfo(b, s);
      expect(after.info).toMatchObject({
        Version: version,
        Size: body.length,
        SHA256: createHash('sha256').update(body).digest('base64'),
      });
      const read = await wopi(b, s, '/contents');
      expect(read.headers.get('x-wopi-itemversion')).toBe(version);
      expect(Buffer.from(await read.arrayBuffer()).equals(body)).toBe(true);
    }
  });

  it('refuses a revoked session in every process at once', async () => {
    const s = await openSession('Budget.xlsx', 'bob');
    expect((await checkFileInfo(apis[0], s)).status).toBe(200);
    expect((await checkFileInfo(apis[1], s)).status).toBe(200);
    const revoked = await fetch(`${apis[0].url}/api/v1/revocations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.sessionApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'bob', sessionId: s.sessionId }),
    });
    expect(revoked.ok).toBe(true);
    expect((await checkFileInfo(apis[1], s)).status).toBe(401);
    expect((await checkFileInfo(apis[0], s)).status).toBe(401);
  });

  it('honours a permission the core app withdrew within the permission-cache lifetime', async () => {
    const s = await openSession('Roadmap.pptx', 'carol');
    expect((await checkFileInfo(apis[1], s)).status).toBe(200);
    const ref = await core.refOf('Roadmap.pptx');
    // From now on the core app refuses carol this file (as it would after unsharing it).
    await core.signedFetch('PUT', '/_control/fault', {
      mode: 'error',
      status: 403,
      methods: ['GET'],
      paths: `/files/${ref}$`,
    });
    try {
      // The cached answer may serve a little longer, but not past the lifetime (with a margin
      // for a loaded machine): an answer cached for good would never be refused.
      await waitFor(
        async () => (await checkFileInfo(apis[1], s)).status !== 200,
        'the withdrawn permission to be honoured',
        PERMISSION_CACHE_TTL_MS * 4,
      );
      expect((await checkFileInfo(apis[1], s)).status).toBe(404);
    } finally {
      await core.signedFetch('PUT', '/_control/fault', { mode: 'none' });
    }
  });
});
