/**
 * Admin changes reach every api process within seconds, without a restart, although each process
 * caches its tenants (TenantCache): two real api processes with a ten-minute cache lifetime, so
 * only the Redis pub/sub change notice can explain a change showing up on the other one.
 */
import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '@wopi/db';
import { type ApiProcess, startApiProcess } from '../support/api-process';
import { startDemoCore, type RunningDemoCore } from '../support/demo-core';
import { createTestAdminKey, testPrisma } from '../support/test-tenant';

const TEN_MINUTES_MS = String(10 * 60 * 1000);
/** What "within seconds" means here; the notice itself takes milliseconds. */
const PROPAGATION_LIMIT_MS = 3_000;

describe('tenant settings across two api processes', () => {
  let core: RunningDemoCore;
  let prisma: PrismaClient;
  let apis: ApiProcess[];
  let adminKey: string;

  beforeAll(async () => {
    core = await startDemoCore();
    prisma = testPrisma();
    adminKey = await createTestAdminKey(prisma, ['read', 'write']);
    apis = await Promise.all([
      startApiProcess({ TENANT_CACHE_TTL_MS: TEN_MINUTES_MS }),
      startApiProcess({ TENANT_CACHE_TTL_MS: TEN_MINUTES_MS }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all((apis ?? []).map((api) => api.stop()));
    await core?.close();
    await prisma?.$disconnect();
  });

  const call = (api: ApiProcess, method: string, path: string, key: string, body?: object) =>
    fetch(`${api.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });

  /** Polls until `probe` holds; returns how long it took, or fails after the limit. */
  async function within(limitMs: number, probe: () => Promise<boolean>): Promise<number> {
    const started = Date.now();
    for (;;) {
      if (await probe()) return Date.now() - started;
      if (Date.now() - started > limitMs) throw new Error(`not seen within ${limitMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('a PATCH through one process is honoured by the other, and a suspended tenant is refused by both', async () => {
    const [a, b] = apis;
    const slug = `p-${randomBytes(5).toString('hex')}`;
    expect(
      (
        await call(a, 'POST', '/admin/v1/tenants', adminKey, {
          slug,
          displayName: 'Propagation',
          coreApp: { baseUrl: core.baseUrl, secret: core.credential },
        })
      ).status,
    ).toBe(201);
    const { key } = (await (
      await call(a, 'POST', `/admin/v1/tenants/${slug}/api-keys`, adminKey, { name: 'core', kind: 'session' })
    ).json()) as { key: string };
    const fileRef = await core.refOf('Welcome.docx');
    const openOn = (api: ApiProcess) => call(api, 'POST', '/api/v1/sessions', key, { fileRef, userId: 'alice' });
    const session = (await (await openOn(b)).json()) as { fileId: string; accessToken: string };
    const checkFileInfoOn = (api: ApiProcess) =>
      fetch(`${api.url}/wopi/files/${session.fileId}?access_token=${encodeURIComponent(session.accessToken)}`);
    // Both processes have the tenant cached now, rename on.
    for (const api of apis) {
      const info = await checkFileInfoOn(api);
      expect(info.status).toBe(200);
      expect(((await info.json()) as { SupportsRename: boolean }).SupportsRename).toBe(true);
    }

    expect(
      (await call(a, 'PATCH', `/admin/v1/tenants/${slug}`, adminKey, { features: { rename: false } })).status,
    ).toBe(200);
    await within(PROPAGATION_LIMIT_MS, async () => {
      const info = await checkFileInfoOn(b);
      return info.ok && ((await info.json()) as { SupportsRename: boolean }).SupportsRename === false;
    });

    expect((await call(a, 'POST', `/admin/v1/tenants/${slug}/suspend`, adminKey)).status).toBe(200);
    for (const api of apis) {
      await within(PROPAGATION_LIMIT_MS, async () => (await checkFileInfoOn(api)).status === 401);
      await within(PROPAGATION_LIMIT_MS, async () => (await openOn(api)).status === 401);
    }

    expect((await call(b, 'POST', `/admin/v1/tenants/${slug}/resume`, adminKey)).status).toBe(200);
    for (const api of apis) await within(PROPAGATION_LIMIT_MS, async () => (await openOn(api)).status === 201);
  }, 60_000);
});
