/**
 * Session-API rate limits are counted in Redis, so every api process enforces one budget per API
 * key and one per tenant; WOPI traffic is not limited (docs/security.md).
 */
import type { PrismaClient } from '@wopi/db';
import { DEFAULT_TENANT_RATE_LIMITS, generateApiKey } from '@wopi/tenancy';
import { type ApiProcess, startApiProcess } from '../support/api-process';
import { startDemoCore, type RunningDemoCore } from '../support/demo-core';
import { createTestTenant, testPrisma, type TestTenant } from '../support/test-tenant';

describe('rate limits across two api processes', () => {
  let core: RunningDemoCore;
  let prisma: PrismaClient;
  let apis: ApiProcess[];
  let fileRef: string;

  beforeAll(async () => {
    core = await startDemoCore();
    prisma = testPrisma();
    apis = await Promise.all([startApiProcess(), startApiProcess()]);
    fileRef = await core.refOf('Welcome.docx');
  }, 60_000);

  afterAll(async () => {
    await Promise.all((apis ?? []).map((api) => api.stop()));
    await core?.close();
    await prisma?.$disconnect();
  });

  const openSession = (api: ApiProcess, apiKey: string) =>
    fetch(`${api.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fileRef, userId: 'bob' }),
    });

  async function tenantWithLimits(rateLimits: object): Promise<TestTenant> {
    const tenant = await createTestTenant(prisma, core);
    await prisma.tenant.update({ where: { id: tenant.id }, data: { rateLimits } });
    return tenant;
  }

  async function secondKeyOf(tenant: TestTenant): Promise<string> {
    const key = generateApiKey();
    await prisma.apiKey.create({
      data: { tenantId: tenant.id, kind: 'SESSION', name: 'second', keyId: key.keyId, secretHash: key.secretHash },
    });
    return key.apiKey;
  }

  it('stops a burst of a thousand session calls from one key: 429 with Retry-After', async () => {
    // The default budget of a key (DEFAULT_TENANT_RATE_LIMITS: 100 per second), its window widened
    // to a minute: a shared test machine cannot send a thousand calls within one second, and the
    // test must measure the limiter, not the machine. The unit spec checks the one-second default.
    const { max } = DEFAULT_TENANT_RATE_LIMITS.perApiKey;
    const tenant = await tenantWithLimits({ perApiKey: { max, windowMs: 60_000 } });
    const started = Date.now();
    const responses = await Promise.all(
      Array.from({ length: 1_000 }, (_, index) => openSession(apis[index % 2], tenant.sessionApiKey)),
    );
    const windows = Math.ceil((Date.now() - started) / 60_000) + 1;
    const opened = responses.filter((response) => response.status === 201).length;
    const limited = responses.filter((response) => response.status === 429);
    expect(opened + limited.length).toBe(1_000);
    expect(opened).toBeGreaterThanOrEqual(max);
    expect(opened).toBeLessThanOrEqual(max * windows);
    for (const response of limited) {
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
    expect(((await limited[0].json()) as { error: unknown }).error).toMatchObject({
      code: 'RATE_LIMITED',
      message: expect.stringMatching(/api key/),
    });
    await Promise.all(responses.filter((response) => !response.bodyUsed).map((response) => response.arrayBuffer()));
    // A thousand HTTP requests and a hundred core-app round trips on a shared 2-core machine.
  }, 120_000);

  it('shares one budget per key between processes, and keeps other keys and tenants out of it', async () => {
    const tenant = await tenantWithLimits({ perApiKey: { max: 4, windowMs: 60_000 } });
    const bystander = await tenantWithLimits({ perApiKey: { max: 4, windowMs: 60_000 } });
    for (const api of [apis[0], apis[1], apis[0], apis[1]]) {
      expect((await openSession(api, tenant.sessionApiKey)).status).toBe(201);
    }
    for (const api of apis) {
      const refused = await openSession(api, tenant.sessionApiKey);
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(50);
      expect(retryAfter).toBeLessThanOrEqual(60);
    }
    // The tenant's other key, and another tenant, have budgets of their own.
    expect((await openSession(apis[1], await secondKeyOf(tenant))).status).toBe(201);
    expect((await openSession(apis[0], bystander.sessionApiKey)).status).toBe(201);
  });

  it("limits the tenant as a whole across its keys, with the tenant's own setting", async () => {
    const tenant = await tenantWithLimits({ perTenant: { max: 3, windowMs: 60_000 } });
    const other = await secondKeyOf(tenant);
    expect((await openSession(apis[0], tenant.sessionApiKey)).status).toBe(201);
    expect((await openSession(apis[1], other)).status).toBe(201);
    expect((await openSession(apis[0], other)).status).toBe(201);
    const refused = await openSession(apis[1], tenant.sessionApiKey);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: unknown }).error).toMatchObject({
      code: 'RATE_LIMITED',
      message: expect.stringMatching(/tenant/),
    });
  });

  it('does not limit WOPI traffic: an editor burst goes through whatever the session limits are', async () => {
    const tenant = await tenantWithLimits({
      perApiKey: { max: 1, windowMs: 60_000 },
      perTenant: { max: 1, windowMs: 60_000 },
    });
    const session = (await (await openSession(apis[0], tenant.sessionApiKey)).json()) as {
      fileId: string;
      accessToken: string;
    };
    const url = (api: ApiProcess) =>
      `${api.url}/wopi/files/${session.fileId}?access_token=${encodeURIComponent(session.accessToken)}`;
    const statuses = await Promise.all(
      Array.from({ length: 60 }, (_, i) => fetch(url(apis[i % 2])).then((r) => r.status)),
    );
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
  });
});
