/**
 * The admin API as an operator uses it: onboard a tenant without SQL (tenant, client profile,
 * session key), change its settings, suspend, delete; keys and their scopes; the audit trail.
 * Against the real demo core app, PostgreSQL and Redis.
 */
import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { PrismaClient } from '@wopi/db';
import { createApp } from '../src/create-app';
import { startDemoCore, type RunningDemoCore } from '../../../test/support/demo-core';
import { testApiEnv } from '../../../test/support/gateway-env';
import { createTestAdminKey, testPrisma } from '../../../test/support/test-tenant';

describe('admin API', () => {
  let app: NestFastifyApplication;
  let core: RunningDemoCore;
  let prisma: PrismaClient;
  let rootKey: string;

  beforeAll(async () => {
    core = await startDemoCore();
    prisma = testPrisma();
    rootKey = await createTestAdminKey(prisma, ['read', 'write', 'support']);
    app = await createApp(testApiEnv());
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    await core.close();
    await prisma.$disconnect();
  });

  const admin = (key: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, ...(payload ? { payload } : {}) });
  const newSlug = () => `a-${randomBytes(5).toString('hex')}`;
  const createTenant = async (slug = newSlug()) => {
    const response = await admin(rootKey, 'POST', '/admin/v1/tenants', {
      slug,
      displayName: `Tenant ${slug}`,
      coreApp: { baseUrl: core.baseUrl, secret: core.credential },
    });
    expect(response.statusCode).toBe(201);
    return slug;
  };
  const createSessionKey = async (slug: string) => {
    const response = await admin(rootKey, 'POST', `/admin/v1/tenants/${slug}/api-keys`, {
      name: 'core app',
      kind: 'session',
    });
    expect(response.statusCode).toBe(201);
    return response.json() as { keyId: string; key: string };
  };
  const openSession = async (sessionKey: string) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      headers: { authorization: `Bearer ${sessionKey}` },
      payload: { fileRef: await core.refOf('Welcome.docx'), userId: 'alice' },
    });

  it('onboards a tenant through the API alone: it opens sessions with the key it was given', async () => {
    const slug = await createTenant();
    const tenant = (await admin(rootKey, 'GET', `/admin/v1/tenants/${slug}`)).json();
    expect(tenant).toMatchObject({
      slug,
      status: 'active',
      coreApp: { baseUrl: core.baseUrl, secretRotation: null },
      features: { rename: true, putRelativeFile: true },
    });
    expect(JSON.stringify(tenant)).not.toContain(core.credential);
    const { key, keyId } = await createSessionKey(slug);
    expect(key).toMatch(/^wgk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const session = await openSession(key);
    expect(session.statusCode).toBe(201);

    // The key is shown once: listings carry its id, never the key or its hash.
    const listed = await admin(rootKey, 'GET', `/admin/v1/tenants/${slug}/api-keys`);
    expect(listed.json().keys).toEqual([expect.objectContaining({ keyId, kind: 'session', revokedAt: null })]);
    expect(listed.body).not.toContain(key.split('_')[2]);
    const row = await prisma.apiKey.findUniqueOrThrow({ where: { keyId } });
    expect(row.secretHash).not.toContain(key.split('_')[2]);
  });

  it('answers bad input with a coded 400 naming the field, and a taken slug with 409', async () => {
    const bad = await admin(rootKey, 'POST', '/admin/v1/tenants', {
      slug: newSlug(),
      displayName: 'x',
      coreApp: { baseUrl: 'not a url', secret: 'a-long-enough-secret' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'coreApp.baseUrl' });
    const badSlug = await admin(rootKey, 'POST', '/admin/v1/tenants', {
      slug: 'Not A Slug',
      displayName: 'x',
      coreApp: { baseUrl: core.baseUrl, secret: 'a-long-enough-secret' },
    });
    expect(badSlug.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'slug' });
    const slug = await createTenant();
    const taken = await admin(rootKey, 'POST', '/admin/v1/tenants', {
      slug,
      displayName: 'again',
      coreApp: { baseUrl: core.baseUrl, secret: 'a-long-enough-secret' },
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe('CONFLICT');
    const badPatch = await admin(rootKey, 'PATCH', `/admin/v1/tenants/${slug}`, { features: { rename: 'yes' } });
    expect(badPatch.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'features.rename' });
  });

  it('applies settings at once: a feature switched off is gone from the next CheckFileInfo', async () => {
    const slug = await createTenant();
    const { key } = await createSessionKey(slug);
    const patched = await admin(rootKey, 'PATCH', `/admin/v1/tenants/${slug}`, {
      features: { rename: false },
      accessTokenTtlMs: 3_600_000,
      hostPage: { allowedFrameAncestors: ['https://core.example'] },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      features: { rename: false, putRelativeFile: true },
      accessTokenTtlMs: 3_600_000,
      hostPage: { allowedFrameAncestors: ['https://core.example'] },
    });
    const session = (await openSession(key)).json() as { fileId: string; accessToken: string; accessTokenTtl: number };
    expect(session.accessTokenTtl - Date.now()).toBeLessThanOrEqual(3_600_000);
    expect(session.accessTokenTtl - Date.now()).toBeGreaterThan(3_500_000);
    const info = await app.inject({
      method: 'GET',
      url: `/wopi/files/${session.fileId}?access_token=${encodeURIComponent(session.accessToken)}`,
    });
    expect(info.statusCode).toBe(200);
    expect(info.json()).toMatchObject({ SupportsRename: false, UserCanRename: false });
  });

  it('suspends and resumes: a suspended tenant is refused on the session and WOPI paths', async () => {
    const slug = await createTenant();
    const { key } = await createSessionKey(slug);
    const session = (await openSession(key)).json() as { fileId: string; accessToken: string };
    const checkFileInfo = async () =>
      (
        await app.inject({
          method: 'GET',
          url: `/wopi/files/${session.fileId}?access_token=${encodeURIComponent(session.accessToken)}`,
        })
      ).statusCode;
    expect(await checkFileInfo()).toBe(200);
    expect((await admin(rootKey, 'POST', `/admin/v1/tenants/${slug}/suspend`)).json().status).toBe('suspended');
    expect((await openSession(key)).statusCode).toBe(401);
    expect(await checkFileInfo()).toBe(401);
    expect((await admin(rootKey, 'POST', `/admin/v1/tenants/${slug}/resume`)).json().status).toBe('active');
    expect((await openSession(key)).statusCode).toBe(201);
    expect(await checkFileInfo()).toBe(200);
  });

  it('deletes only a suspended tenant: kept for the grace period, or purged at once on confirmation', async () => {
    const slug = await createTenant();
    expect((await admin(rootKey, 'DELETE', `/admin/v1/tenants/${slug}`)).statusCode).toBe(409);
    await admin(rootKey, 'POST', `/admin/v1/tenants/${slug}/suspend`);
    const deleted = await admin(rootKey, 'DELETE', `/admin/v1/tenants/${slug}`);
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json().status).toBe('deleted');
    expect(Date.parse(deleted.json().purgeAfter) - Date.now()).toBeGreaterThan(29 * 24 * 3600 * 1000);
    expect((await admin(rootKey, 'GET', `/admin/v1/tenants/${slug}`)).statusCode).toBe(404);
    expect(await prisma.tenant.findUnique({ where: { slug } })).not.toBeNull();

    const other = await createTenant();
    await admin(rootKey, 'POST', `/admin/v1/tenants/${other}/suspend`);
    const unconfirmed = await admin(rootKey, 'DELETE', `/admin/v1/tenants/${other}?purge=now&confirm=wrong`);
    expect(unconfirmed.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'confirm' });
    expect((await admin(rootKey, 'DELETE', `/admin/v1/tenants/${other}?purge=now&confirm=${other}`)).statusCode).toBe(
      200,
    );
    expect(await prisma.tenant.findUnique({ where: { slug: other } })).toBeNull();
  });

  it('lists tenants in bounded pages', async () => {
    await createTenant();
    await createTenant();
    const first = (await admin(rootKey, 'GET', '/admin/v1/tenants?limit=1')).json();
    expect(first.tenants).toHaveLength(1);
    expect(first.nextCursor).toBe(first.tenants[0].id);
    const second = (await admin(rootKey, 'GET', `/admin/v1/tenants?limit=1&after=${first.nextCursor}`)).json();
    expect(second.tenants[0].id > first.tenants[0].id).toBe(true);
    const tooMany = await admin(rootKey, 'GET', '/admin/v1/tenants?limit=1000');
    expect(tooMany.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'limit' });
  });

  it('manages client profiles: one default per tenant', async () => {
    const slug = await createTenant();
    const base = `/admin/v1/tenants/${slug}/client-profiles`;
    const first = await admin(rootKey, 'POST', base, {
      name: 'office',
      kind: 'microsoft',
      discoveryUrl: 'https://onenote.officeapps.live.com/hosting/discovery',
      isDefault: true,
    });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ name: 'office', kind: 'microsoft', isDefault: true, proofKeysRequired: true });
    const second = await admin(rootKey, 'POST', base, {
      name: 'collabora',
      kind: 'collabora',
      discoveryUrl: 'https://collabora.example/hosting/discovery',
      isDefault: true,
      proofKeysRequired: false,
    });
    expect(second.statusCode).toBe(201);
    const listed = (await admin(rootKey, 'GET', base)).json().profiles as { name: string; isDefault: boolean }[];
    expect(listed.map((p) => [p.name, p.isDefault])).toEqual([
      ['office', false],
      ['collabora', true],
    ]);
    const badKind = await admin(rootKey, 'POST', base, {
      name: 'x',
      kind: 'wordpad',
      discoveryUrl: 'https://x.example',
    });
    expect(badKind.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'kind' });
    expect((await admin(rootKey, 'POST', base, { ...second.json(), id: undefined })).statusCode).toBe(400);
    const renamed = await admin(rootKey, 'PATCH', `${base}/${first.json().id}`, { name: 'collabora' });
    expect(renamed.statusCode).toBe(409);
    const patched = await admin(rootKey, 'PATCH', `${base}/${first.json().id}`, { isDefault: true });
    expect(patched.json().isDefault).toBe(true);
    expect((await admin(rootKey, 'DELETE', `${base}/${second.json().id}`)).statusCode).toBe(200);
    expect((await admin(rootKey, 'DELETE', `${base}/${second.json().id}`)).statusCode).toBe(404);
  });

  it('rotates and revokes session keys: the old key works for the overlap, a revoked one at once no more', async () => {
    const slug = await createTenant();
    const old = await createSessionKey(slug);
    expect((await openSession(old.key)).statusCode).toBe(201);
    const rotated = await admin(rootKey, 'POST', `/admin/v1/tenants/${slug}/api-keys/${old.keyId}/rotate`, {
      overlapSeconds: 60,
    });
    expect(rotated.statusCode).toBe(201);
    const fresh = rotated.json() as { keyId: string; key: string };
    expect(fresh.keyId).not.toBe(old.keyId);
    expect((await openSession(fresh.key)).statusCode).toBe(201);
    expect((await openSession(old.key)).statusCode).toBe(201);
    expect((await admin(rootKey, 'DELETE', `/admin/v1/tenants/${slug}/api-keys/${old.keyId}`)).statusCode).toBe(200);
    expect((await openSession(old.key)).statusCode).toBe(401);
    expect((await openSession(fresh.key)).statusCode).toBe(201);
    // Rotating without an overlap (here: without a body at all) retires the old key at once.
    const again = await admin(rootKey, 'POST', `/admin/v1/tenants/${slug}/api-keys/${fresh.keyId}/rotate`);
    expect(again.statusCode).toBe(201);
    expect((await openSession(fresh.key)).statusCode).toBe(401);
    expect((await openSession(again.json().key)).statusCode).toBe(201);
  });

  it('enforces scopes: 401 without a key, 403 SCOPE_MISSING for a missing scope', async () => {
    const slug = await createTenant();
    const reader = await createTestAdminKey(prisma, ['read']);
    expect((await app.inject({ method: 'GET', url: '/admin/v1/tenants' })).statusCode).toBe(401);
    expect((await admin(reader, 'GET', `/admin/v1/tenants/${slug}`)).statusCode).toBe(200);
    const refused = await admin(reader, 'PATCH', `/admin/v1/tenants/${slug}`, { displayName: 'x' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ code: 'SCOPE_MISSING', scope: 'write' });
    expect((await admin(reader, 'GET', `/admin/v1/tenants/${slug}/files?coreRef=x`)).json().error.scope).toBe(
      'support',
    );
    // A session key is no admin key, and an admin key no session key.
    const { key } = await createSessionKey(slug);
    expect((await admin(key, 'GET', '/admin/v1/tenants')).statusCode).toBe(401);
    expect((await openSession(rootKey)).statusCode).toBe(401);
  });

  it('confines a tenant-bound admin key to its tenant: another tenant is a 404, global routes a 403', async () => {
    const mine = await createTenant();
    const theirs = await createTenant();
    const mineId = (await admin(rootKey, 'GET', `/admin/v1/tenants/${mine}`)).json().id;
    const created = await admin(rootKey, 'POST', '/admin/v1/admin-keys', {
      name: 'tenant operator',
      scopes: ['read', 'write'],
      tenant: mine,
    });
    expect(created.statusCode).toBe(201);
    const bound = created.json().key as string;
    expect(created.json()).toMatchObject({ kind: 'admin', tenant: mine, scopes: ['read', 'write'] });
    expect((await admin(bound, 'GET', `/admin/v1/tenants/${mine}`)).json().id).toBe(mineId);
    expect((await admin(bound, 'PATCH', `/admin/v1/tenants/${mine}`, { displayName: 'Mine' })).statusCode).toBe(200);
    for (const [method, url] of [
      ['GET', `/admin/v1/tenants/${theirs}`],
      ['PATCH', `/admin/v1/tenants/${theirs}`],
      ['POST', `/admin/v1/tenants/${theirs}/api-keys`],
      ['GET', `/admin/v1/tenants/${theirs}/client-profiles`],
      ['GET', `/admin/v1/audit?tenant=${theirs}`],
    ] as const) {
      const response = await admin(bound, method, url, method === 'GET' ? undefined : { displayName: 'x' });
      expect({ url, status: response.statusCode }).toEqual({ url, status: 404 });
    }
    expect((await admin(bound, 'GET', '/admin/v1/tenants')).statusCode).toBe(403);
    // Naming its own tenant in the query does not lift it onto a route over every tenant.
    for (const url of [
      `/admin/v1/tenants?tenant=${mine}`,
      `/admin/v1/admin-keys?tenant=${mine}`,
      `/admin/v1/write-backs/failed?tenant=${mine}`,
    ]) {
      expect({ url, status: (await admin(bound, 'GET', url)).statusCode }).toEqual({ url, status: 403 });
    }
    expect((await admin(bound, 'GET', '/admin/v1/audit')).statusCode).toBe(403);
    expect((await admin(bound, 'GET', `/admin/v1/audit?tenant=${mine}`)).statusCode).toBe(200);
    expect((await admin(bound, 'POST', '/admin/v1/admin-keys', { name: 'x', scopes: ['read'] })).statusCode).toBe(403);
  });

  it('never lets a key grant more scopes than it holds', async () => {
    const writer = await createTestAdminKey(prisma, ['read', 'write']);
    const escalate = await admin(writer, 'POST', '/admin/v1/admin-keys', { name: 'x', scopes: ['support'] });
    expect(escalate.statusCode).toBe(403);
    expect(escalate.json().error).toMatchObject({ code: 'SCOPE_MISSING', scope: 'support' });
    const ok = await admin(writer, 'POST', '/admin/v1/admin-keys', { name: 'reader', scopes: ['read'] });
    expect(ok.statusCode).toBe(201);
    expect((await admin(ok.json().key, 'GET', '/admin/v1/tenants?limit=1')).statusCode).toBe(200);
    expect((await admin(writer, 'DELETE', `/admin/v1/admin-keys/${ok.json().keyId}`)).statusCode).toBe(200);
    expect((await admin(ok.json().key, 'GET', '/admin/v1/tenants?limit=1')).statusCode).toBe(401);
  });

  it('audits every admin action as who, what, before and after, newest first', async () => {
    const slug = await createTenant();
    await admin(rootKey, 'PATCH', `/admin/v1/tenants/${slug}`, { displayName: 'Renamed' });
    const { keyId } = await createSessionKey(slug);
    const events = (await admin(rootKey, 'GET', `/admin/v1/audit?tenant=${slug}`)).json().events as {
      actor: string;
      action: string;
      before: { displayName?: string } | null;
      after: { displayName?: string; keyId?: string } | null;
      at: string;
    }[];
    expect(events.map((e) => e.action)).toEqual(['api_key.created', 'tenant.updated', 'tenant.created']);
    const rootKeyId = rootKey.split('_')[1];
    expect(events.every((e) => e.actor === `apikey:${rootKeyId}`)).toBe(true);
    expect(events[1].before?.displayName).toBe(`Tenant ${slug}`);
    expect(events[1].after?.displayName).toBe('Renamed');
    expect(events[0].after?.keyId).toBe(keyId);
    expect(JSON.stringify(events)).not.toContain(core.credential);
  });

  it('rotates the core-app secret at the activation time: the old one signs until then', async () => {
    const slug = await createTenant();
    const { key } = await createSessionKey(slug);
    const activateAt = new Date(Date.now() + 2_000).toISOString();
    const rotated = await admin(rootKey, 'POST', `/admin/v1/tenants/${slug}/core-app-secret`, {
      secret: 'the-next-core-app-secret-0123456789',
      activateAt,
    });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json()).toEqual({ activeFrom: activateAt });
    expect((await admin(rootKey, 'GET', `/admin/v1/tenants/${slug}`)).json().coreApp.secretRotation).toEqual({
      activeFrom: activateAt,
    });
    // This demo core app knows only the old secret: it answers until the gateway switches.
    expect((await openSession(key)).statusCode).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, Date.parse(activateAt) - Date.now() + 100));
    const after = await openSession(key);
    expect(after.statusCode).toBe(503);
    expect(after.json().error.code).toBe('CORE_APP_UNAVAILABLE');
    const row = await prisma.tenant.findUniqueOrThrow({ where: { slug } });
    expect(row.coreAppCredentialNext).not.toContain('the-next-core-app-secret');
  });
});
