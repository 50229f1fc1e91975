import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { PrismaClient } from '@wopi/db';
import { generateApiKey } from '@wopi/tenancy';
import { createApp } from '../src/create-app';
import { startDemoCore, type RunningDemoCore } from '../../../test/support/demo-core';
import { openEditorSession } from '../../../test/support/editor-session';
import { testApiEnv } from '../../../test/support/gateway-env';
import { createTestTenant, testPrisma, type TestTenant } from '../../../test/support/test-tenant';

describe('abandoned locks: support view, release and the takeover policy', () => {
  let app: NestFastifyApplication;
  let core: RunningDemoCore;
  let prisma: PrismaClient;
  let supportKey: string;

  beforeAll(async () => {
    core = await startDemoCore();
    prisma = testPrisma();
    const key = generateApiKey();
    await prisma.apiKey.create({
      data: { kind: 'ADMIN', name: 'support desk', keyId: key.keyId, secretHash: key.secretHash, scopes: ['support'] },
    });
    supportKey = key.apiKey;
    app = await createApp(testApiEnv());
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    await core.close();
    await prisma.$disconnect();
  });

  async function open(tenant: TestTenant, userId: string) {
    return openEditorSession(app, tenant, { fileRef: await core.refOf('Welcome.docx'), userId });
  }

  const lock = (s: { fileId: string; accessToken: string }, lockId: string) =>
    app.inject({
      method: 'POST',
      url: `/wopi/files/${s.fileId}?access_token=${encodeURIComponent(s.accessToken)}`,
      headers: { 'x-wopi-override': 'LOCK', 'x-wopi-lock': lockId },
    });

  it('shows the holder and age of a lock and releases exactly the lock that was inspected', async () => {
    const tenant = await createTestTenant(prisma, core);
    const alice = await open(tenant, 'alice');
    expect((await lock(alice, 'stuck-editor')).statusCode).toBe(200);
    const url = `/admin/v1/tenants/${tenant.slug}/files/${alice.fileId}/lock`;

    expect((await app.inject({ method: 'GET', url })).statusCode).toBe(401);
    const view = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${supportKey}` } });
    expect(view.statusCode).toBe(200);
    expect(view.json()).toMatchObject({
      locked: true,
      lock: { lockId: 'stuck-editor', holder: { userId: `${tenant.id}.alice` }, refreshCount: 0 },
    });
    expect(view.json().lock.ageMs).toBeGreaterThanOrEqual(0);

    const stale = await app.inject({
      method: 'DELETE',
      url: `${url}?expectedLockId=another`,
      headers: { authorization: `Bearer ${supportKey}` },
    });
    expect(stale.statusCode).toBe(409);
    const released = await app.inject({
      method: 'DELETE',
      url: `${url}?expectedLockId=stuck-editor`,
      headers: { authorization: `Bearer ${supportKey}` },
    });
    expect(released.statusCode).toBe(200);
    expect((await lock(await open(tenant, 'bob'), 'new-editor')).statusCode).toBe(200);
    const audit = await prisma.auditEvent.findFirst({
      where: { tenantId: tenant.id, action: 'lock.released_by_support' },
    });
    expect(audit?.target).toBe(`file:${alice.fileId}`);
  });

  it('lets a new Lock take over a lock older than the profile allows, and only then', async () => {
    const strict = await createTestTenant(prisma, core);
    const lenient = await createTestTenant(prisma, core);
    await prisma.wopiClientProfile.create({
      data: {
        tenantId: lenient.id,
        name: 'collabora',
        kind: 'COLLABORA',
        discoveryUrl: 'http://127.0.0.1:1/hosting/discovery',
        isDefault: true,
        proofKeysRequired: false,
        behaviour: { lockTakeoverAfterMs: 300 },
      },
    });
    for (const tenant of [strict, lenient]) {
      expect((await lock(await open(tenant, 'alice'), 'abandoned')).statusCode).toBe(200);
    }
    await new Promise((resolve) => setTimeout(resolve, 400));
    const blocked = await lock(await open(strict, 'bob'), 'newcomer');
    expect(blocked.statusCode).toBe(409);
    expect(blocked.headers['x-wopi-lock']).toBe('abandoned');
    expect((await lock(await open(lenient, 'bob'), 'newcomer')).statusCode).toBe(200);
    expect(await prisma.auditEvent.count({ where: { tenantId: lenient.id, action: 'lock.taken_over' } })).toBe(1);
  });
});
