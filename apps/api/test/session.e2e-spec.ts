import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AccessTokenService } from '@wopi/access-tokens';
import type { PrismaClient } from '@wopi/db';
import { createApp } from '../src/create-app';
import type { SessionResponse as Session } from '../src/session/create-session.dto';
import { startDemoCore, type RunningDemoCore } from '../../../test/support/demo-core';
import { type EditorSessionOptions, openEditorSession } from '../../../test/support/editor-session';
import { testApiEnv } from '../../../test/support/gateway-env';
import { createTestTenant, testPrisma, type TestTenant } from '../../../test/support/test-tenant';

describe('session API and host page', () => {
  let app: NestFastifyApplication;
  let core: RunningDemoCore;
  let prisma: PrismaClient;
  let tenant: TestTenant;
  let otherTenant: TestTenant;

  const post = (apiKey: string, url: string, body: Record<string, unknown>) =>
    app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${apiKey}` }, payload: body });
  const createSession = (apiKey: string, body: Record<string, unknown>) => post(apiKey, '/api/v1/sessions', body);
  const renew = (apiKey: string, body: Record<string, unknown>) => post(apiKey, '/api/v1/sessions/renew', body);
  const revoke = (apiKey: string, body: Record<string, unknown>) => post(apiKey, '/api/v1/revocations', body);
  const open = async (t: TestTenant, name: string, userId: string, extra: EditorSessionOptions = {}) =>
    openEditorSession(app, t, { fileRef: await core.refOf(name), userId, ...extra });
  /** CheckFileInfo with the session's token: 200 while it is good, 401 once refused. */
  const checkFileInfo = async (s: Pick<Session, 'fileId' | 'accessToken'>) =>
    (
      await app.inject({
        method: 'GET',
        url: `/wopi/files/${s.fileId}?access_token=${encodeURIComponent(s.accessToken)}`,
      })
    ).statusCode;

  beforeAll(async () => {
    core = await startDemoCore();
    prisma = testPrisma();
    tenant = await createTestTenant(prisma, core, { accessTokenTtlMs: 2 * 60 * 60 * 1000 });
    otherTenant = await createTestTenant(prisma, core);
    app = await createApp(testApiEnv());
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    await core.close();
    await prisma.$disconnect();
  });

  describe('creating a session', () => {
    it('refuses a missing, malformed or unknown API key', async () => {
      for (const authorization of [undefined, 'Bearer nope', `Bearer ${tenant.sessionApiKey.slice(0, -1)}x`]) {
        for (const url of ['/api/v1/sessions', '/api/v1/sessions/renew', '/api/v1/revocations']) {
          const response = await app.inject({
            method: 'POST',
            url,
            headers: authorization ? { authorization } : {},
            payload: { fileRef: 'x', userId: 'alice' },
          });
          expect({ url, status: response.statusCode }).toEqual({ url, status: 401 });
        }
      }
    });

    it('validates the request body', async () => {
      for (const body of [
        { fileRef: '', userId: 'al ice', extra: 1 },
        { fileRef: 'x', userId: 'alice', action: 'present' },
        { fileRef: 'x', userId: 'alice', locale: 'de_DE; x' },
        { fileRef: 'x', userId: 'alice', returnUrl: 'javascript:alert(1)' },
      ]) {
        expect((await createSession(tenant.sessionApiKey, body)).statusCode).toBe(400);
      }
    });

    it('creates an edit session with a token bound to tenant, file, user and session', async () => {
      const ref = await core.refOf('Welcome.docx');
      const before = Date.now();
      const session = await openEditorSession(app, tenant, { fileRef: ref, userId: 'bob' });
      expect(session.action).toBe('edit');
      expect(session.sessionId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(session.wopiSrc).toBe(`http://wopi.test/wopi/files/${session.fileId}`);
      expect(session.fileId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      // The tenant has no WOPI client profile: no action URL, the host page explains.
      expect(session.actionUrl).toBeNull();
      expect(session.hostPageUrl).toMatch(
        new RegExp(`^http://wopi.test/host/${session.fileId}\\?ticket=[A-Za-z0-9_-]{32}$`),
      );
      expect(session.hostPageUrl).not.toContain(session.accessToken);
      expect(session.accessTokenTtl).toBeGreaterThan(before + 2 * 60 * 60 * 1000 - 2_000);
      expect(session.accessTokenTtl).toBeLessThanOrEqual(Date.now() + 2 * 60 * 60 * 1000);
      // Microsoft: at most 1500 characters URL-encoded (faq/access_token_length.rst).
      expect(encodeURIComponent(session.accessToken).length).toBeLessThanOrEqual(1500);

      const claims = await app.get(AccessTokenService).verify(session.accessToken);
      expect(claims).toMatchObject({
        tenantId: tenant.id,
        fileId: session.fileId,
        userId: 'bob',
        sessionId: session.sessionId,
        expiresAtMs: session.accessTokenTtl,
      });
      expect(claims.permissions).toMatchObject({ read: true, write: true });
      const file = await prisma.file.findUniqueOrThrow({ where: { id: session.fileId } });
      expect(file).toMatchObject({ tenantId: tenant.id, coreRef: ref, name: 'Welcome.docx', ownerId: 'alice' });
    });

    it('gives tenants the default token lifetime of 10 hours', async () => {
      const before = Date.now();
      const session = await open(otherTenant, 'Welcome.docx', 'bob');
      expect(session.accessTokenTtl).toBeGreaterThan(before + 10 * 60 * 60 * 1000 - 2_000);
      expect(session.accessTokenTtl).toBeLessThanOrEqual(Date.now() + 10 * 60 * 60 * 1000);
    });

    it('gives one stable file ID per document, whoever opens it, and another one in another tenant', async () => {
      const alice = await open(tenant, 'Budget.xlsx', 'alice');
      const carol = await open(tenant, 'Budget.xlsx', 'carol');
      const again = await open(tenant, 'Budget.xlsx', 'alice');
      expect(carol.fileId).toBe(alice.fileId);
      expect(again.fileId).toBe(alice.fileId);
      expect(again.sessionId).not.toBe(alice.sessionId);
      const foreign = await open(otherTenant, 'Budget.xlsx', 'alice');
      expect(foreign.fileId).not.toBe(alice.fileId);
    });

    it('follows the core app permissions: a viewer gets a read-only view, no access is 403, an unknown file 404', async () => {
      const ref = await core.refOf('Roadmap.pptx');
      const carol = await openEditorSession(app, tenant, { fileRef: ref, userId: 'carol' });
      expect(carol.action).toBe('view');
      const claims = await app.get(AccessTokenService).verify(carol.accessToken);
      expect(claims.permissions.write).toBe(false);

      for (const action of ['edit', 'editnew', 'convert']) {
        expect((await createSession(tenant.sessionApiKey, { fileRef: ref, userId: 'carol', action })).statusCode).toBe(
          403,
        );
      }
      expect((await createSession(tenant.sessionApiKey, { fileRef: ref, userId: 'dave' })).statusCode).toBe(403);
      expect(
        (await createSession(tenant.sessionApiKey, { fileRef: 'doc-does-not-exist', userId: 'alice' })).statusCode,
      ).toBe(404);
    });

    it('carries no write permission in view, embedview and convert sessions, even for an editor', async () => {
      for (const action of ['view', 'embedview', 'convert'] as const) {
        const session = await open(tenant, 'Welcome.docx', 'alice', { action });
        expect(session.action).toBe(action);
        const claims = await app.get(AccessTokenService).verify(session.accessToken);
        expect({ action, ...claims.permissions }).toMatchObject({
          action,
          read: true,
          write: false,
          rename: false,
          delete: false,
        });
      }
      const editNew = await open(tenant, 'Welcome.docx', 'alice', { action: 'editnew' });
      expect((await app.get(AccessTokenService).verify(editNew.accessToken)).permissions.write).toBe(true);
    });

    it('refuses convert where PutRelativeFile is switched off (the converted copy could not be saved)', async () => {
      const noRelative = await createTestTenant(prisma, core);
      await prisma.tenant.update({ where: { id: noRelative.id }, data: { features: { putRelativeFile: false } } });
      const response = await createSession(noRelative.sessionApiKey, {
        fileRef: await core.refOf('Welcome.docx'),
        userId: 'alice',
        action: 'convert',
      });
      expect(response.statusCode).toBe(403);
      expect(response.json().error).toMatchObject({
        code: 'PERMISSION_DENIED',
        message: expect.stringContaining('PutRelativeFile'),
      });
    });

    it('answers 503 quickly when the core app does not answer', async () => {
      const unreachable = await createTestTenant(prisma, {
        baseUrl: 'http://127.0.0.1:1/core/v1',
        credential: 'irrelevant-secret',
      });
      const response = await createSession(unreachable.sessionApiKey, { fileRef: 'x', userId: 'alice' });
      expect(response.statusCode).toBe(503);
    });
  });

  describe('host page links', () => {
    it('opens the host page once per launch ticket', async () => {
      const session = await open(tenant, 'Meeting notes.odt', 'alice');
      const url = new URL(session.hostPageUrl);
      const page = await app.inject({ method: 'GET', url: url.pathname + url.search });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.headers['cache-control']).toBe('no-cache, no-store');
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.body).toContain(`<title>Meeting notes.odt - Tenant ${tenant.slug}</title>`);
      expect(page.body).toContain('rel="icon"');
      expect(page.body).toContain('No WOPI client editor is configured for this tenant');
      expect(page.body).not.toContain(session.accessToken);

      const reused = await app.inject({ method: 'GET', url: url.pathname + url.search });
      expect(reused.statusCode).toBe(410);
    });

    it('refuses a ticket presented for another file, and burns it', async () => {
      const first = await open(tenant, 'Welcome.docx', 'alice');
      const second = await open(tenant, 'Budget.xlsx', 'alice');
      const ticket = new URL(first.hostPageUrl).searchParams.get('ticket');
      const wrong = await app.inject({ method: 'GET', url: `/host/${second.fileId}?ticket=${ticket}` });
      expect(wrong.statusCode).toBe(410);
      const right = await app.inject({ method: 'GET', url: `/host/${first.fileId}?ticket=${ticket}` });
      expect(right.statusCode).toBe(410);
      expect((await app.inject({ method: 'GET', url: `/host/${first.fileId}` })).statusCode).toBe(410);
    });
  });

  describe('renewing a session', () => {
    it('gives a new token for the same session, file, user and action, by session id or by the old token', async () => {
      const session = await open(tenant, 'Welcome.docx', 'bob');
      const before = await app.get(AccessTokenService).verify(session.accessToken);

      const byId = await renew(tenant.sessionApiKey, { sessionId: session.sessionId });
      expect(byId.statusCode).toBe(200);
      const renewed = byId.json<Session>();
      expect(renewed).toMatchObject({
        sessionId: session.sessionId,
        fileId: session.fileId,
        wopiSrc: session.wopiSrc,
        action: 'edit',
        actionUrl: null,
      });
      expect(renewed.accessToken).not.toBe(session.accessToken);
      expect(renewed.accessTokenTtl).toBeGreaterThanOrEqual(session.accessTokenTtl);
      expect(renewed.hostPageUrl).not.toBe(session.hostPageUrl);
      const claims = await app.get(AccessTokenService).verify(renewed.accessToken);
      expect(claims).toMatchObject({ tenantId: tenant.id, fileId: session.fileId, userId: 'bob' });
      expect(claims.sessionId).toBe(before.sessionId);
      expect(claims.tokenId).not.toBe(before.tokenId);

      const byToken = await renew(tenant.sessionApiKey, { accessToken: renewed.accessToken });
      expect(byToken.statusCode).toBe(200);
      expect(byToken.json()).toMatchObject({ sessionId: session.sessionId, fileId: session.fileId });
      // Every token of the session keeps working until it expires.
      expect(await checkFileInfo(session)).toBe(200);
      expect(await checkFileInfo(byToken.json<Session>())).toBe(200);
      // The new host-page link works once, like the first.
      const link = new URL(byToken.json<Session>().hostPageUrl);
      expect((await app.inject({ method: 'GET', url: link.pathname + link.search })).statusCode).toBe(200);
    });

    it('keeps a view session read-only', async () => {
      const session = await open(tenant, 'Welcome.docx', 'alice', { action: 'view' });
      const renewed = (await renew(tenant.sessionApiKey, { sessionId: session.sessionId })).json<Session>();
      expect(renewed.action).toBe('view');
      expect((await app.get(AccessTokenService).verify(renewed.accessToken)).permissions.write).toBe(false);
    });

    it('refuses to renew a session that is unknown, of another tenant, or named wrongly', async () => {
      const session = await open(tenant, 'Welcome.docx', 'bob');
      expect((await renew(tenant.sessionApiKey, { sessionId: 'AAAAAAAAAAAAAAAAAAAAAA' })).statusCode).toBe(410);
      expect((await renew(otherTenant.sessionApiKey, { sessionId: session.sessionId })).statusCode).toBe(410);
      expect((await renew(otherTenant.sessionApiKey, { accessToken: session.accessToken })).statusCode).toBe(410);
      expect((await renew(tenant.sessionApiKey, {})).statusCode).toBe(400);
      expect(
        (await renew(tenant.sessionApiKey, { sessionId: session.sessionId, accessToken: session.accessToken }))
          .statusCode,
      ).toBe(400);
      expect((await renew(tenant.sessionApiKey, { accessToken: `${session.accessToken}x` })).statusCode).toBe(400);
    });

    it('asks the core app again: a user who lost access gets no new token, and the session ends', async () => {
      const ownCore = await startDemoCore();
      try {
        const own = await createTestTenant(prisma, ownCore);
        const ref = await ownCore.refOf('Budget.xlsx');
        const session = await openEditorSession(app, own, { fileRef: ref, userId: 'bob' });
        expect(await checkFileInfo(session)).toBe(200);

        // The core app now denies bob this file.
        await ownCore.signedFetch('PUT', '/_control/fault', {
          mode: 'error',
          status: 403,
          paths: `^/core/v1/files/${ref}`,
        });
        expect((await renew(own.sessionApiKey, { sessionId: session.sessionId })).statusCode).toBe(403);
        await ownCore.signedFetch('PUT', '/_control/fault', { mode: 'none' });

        // Ended for good: its tokens are refused, and it cannot be renewed once access is back.
        expect(await checkFileInfo(session)).toBe(401);
        expect((await renew(own.sessionApiKey, { sessionId: session.sessionId })).statusCode).toBe(410);
        // A new session is fine once the core app grants access again.
        const fresh = await openEditorSession(app, own, { fileRef: ref, userId: 'bob' });
        expect(await checkFileInfo(fresh)).toBe(200);
      } finally {
        await ownCore.close();
      }
    });
  });

  describe('revoking access', () => {
    it("ends all of a user's sessions in the tenant, and only theirs; new sessions work again", async () => {
      const own = await createTestTenant(prisma, core);
      const bobDoc = await open(own, 'Welcome.docx', 'bob');
      const bobSheet = await open(own, 'Budget.xlsx', 'bob');
      const alice = await open(own, 'Welcome.docx', 'alice');
      const bobElsewhere = await open(otherTenant, 'Welcome.docx', 'bob');
      for (const s of [bobDoc, bobSheet, alice, bobElsewhere]) expect(await checkFileInfo(s)).toBe(200);

      const response = await revoke(own.sessionApiKey, { userId: 'bob' });
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({ scope: 'user', userId: 'bob' });

      expect(await checkFileInfo(bobDoc)).toBe(401);
      expect(await checkFileInfo(bobSheet)).toBe(401);
      expect(await checkFileInfo(alice)).toBe(200);
      expect(await checkFileInfo(bobElsewhere)).toBe(200);
      // Renewal cannot bring a revoked session back.
      expect((await renew(own.sessionApiKey, { sessionId: bobDoc.sessionId })).statusCode).toBe(410);
      // A session opened after the revocation (the core app granted access again) works.
      const again = await open(own, 'Welcome.docx', 'bob');
      expect(await checkFileInfo(again)).toBe(200);

      const audit = await prisma.auditEvent.findFirst({ where: { tenantId: own.id, action: 'access.revoked' } });
      expect(audit).toMatchObject({ target: 'user:bob', details: { scope: 'user' } });
      expect(audit?.actor).toMatch(/^apikey:[0-9a-f]{16}$/);
    });

    it("ends a user's sessions on one file only", async () => {
      const own = await createTestTenant(prisma, core);
      const doc = await open(own, 'Welcome.docx', 'bob');
      const sheet = await open(own, 'Budget.xlsx', 'bob');
      const response = await revoke(own.sessionApiKey, { userId: 'bob', fileRef: await core.refOf('Welcome.docx') });
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({ scope: 'file', userId: 'bob', fileId: doc.fileId });
      expect(await checkFileInfo(doc)).toBe(401);
      expect(await checkFileInfo(sheet)).toBe(200);
      // A file never opened through the gateway has nothing to end.
      const unopened = await revoke(own.sessionApiKey, { userId: 'bob', fileRef: await core.refOf('Roadmap.pptx') });
      expect(unopened.json()).toMatchObject({ scope: 'file', fileId: null });
    });

    it('ends one session, renewed tokens included, and leaves the user’s other sessions alone', async () => {
      const own = await createTestTenant(prisma, core);
      const first = await open(own, 'Welcome.docx', 'bob');
      const renewed = (await renew(own.sessionApiKey, { sessionId: first.sessionId })).json<Session>();
      const second = await open(own, 'Welcome.docx', 'bob');

      expect((await revoke(own.sessionApiKey, { userId: 'alice', sessionId: first.sessionId })).statusCode).toBe(404);
      const response = await revoke(own.sessionApiKey, { userId: 'bob', sessionId: first.sessionId });
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({ scope: 'session', sessionId: first.sessionId });

      expect(await checkFileInfo(first)).toBe(401);
      expect(await checkFileInfo(renewed)).toBe(401);
      expect(await checkFileInfo(second)).toBe(200);
      expect((await renew(own.sessionApiKey, { sessionId: first.sessionId })).statusCode).toBe(410);
      expect((await renew(own.sessionApiKey, { accessToken: renewed.accessToken })).statusCode).toBe(410);
    });

    it('is seen by every api instance at once (the deny list is in Redis)', async () => {
      const own = await createTestTenant(prisma, core);
      const second = await createApp(testApiEnv());
      await second.init();
      try {
        const session = await open(own, 'Welcome.docx', 'bob');
        const onSecond = async () =>
          (
            await second.inject({
              method: 'GET',
              url: `/wopi/files/${session.fileId}?access_token=${encodeURIComponent(session.accessToken)}`,
            })
          ).statusCode;
        expect(await onSecond()).toBe(200);
        expect((await revoke(own.sessionApiKey, { userId: 'bob' })).statusCode).toBe(201);
        expect(await onSecond()).toBe(401);
      } finally {
        await second.close();
      }
    });

    it('validates the request', async () => {
      const ref = await core.refOf('Welcome.docx');
      for (const body of [
        {},
        { userId: 'a b' },
        { userId: 'bob', fileRef: ref, sessionId: 'AAAAAAAAAAAAAAAAAAAAAA' },
      ]) {
        expect((await revoke(tenant.sessionApiKey, body)).statusCode).toBe(400);
      }
    });
  });
});
