import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { PrismaClient } from '@wopi/db';
import { generateApiKey } from '@wopi/tenancy';
import { createApp } from '../src/create-app';
import type { SessionResponse } from '../src/session/create-session.dto';
import { startDemoCore, type RunningDemoCore } from '../../../test/support/demo-core';
import { openEditorSession } from '../../../test/support/editor-session';
import { testApiEnv } from '../../../test/support/gateway-env';
import { createTestTenant, testPrisma, type TestTenant } from '../../../test/support/test-tenant';

/** What a browser or a cache in between must be told about every JSON API answer. */
const API_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

// Session answers carry access tokens and launch links, admin answers carry keys: none may be
// framed, sniffed, leaked through a Referer or kept by a cache, whatever the status.
describe('security headers', () => {
  let app: NestFastifyApplication;
  let core: RunningDemoCore;
  let prisma: PrismaClient;
  let tenant: TestTenant;
  let adminKey: string;

  beforeAll(async () => {
    core = await startDemoCore();
    prisma = testPrisma();
    tenant = await createTestTenant(prisma, core);
    const key = generateApiKey();
    await prisma.apiKey.create({
      data: { kind: 'ADMIN', name: 'headers test', keyId: key.keyId, secretHash: key.secretHash, scopes: ['support'] },
    });
    adminKey = key.apiKey;
    app = await createApp(testApiEnv());
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    await core.close();
    await prisma.$disconnect();
  });

  const post = (url: string, payload: object, apiKey = tenant.sessionApiKey) =>
    app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${apiKey}` }, payload });

  it('are on every session API answer: created, renewed, refused, invalid, unknown route', async () => {
    const fileRef = await core.refOf('Welcome.docx');
    const created = await post('/api/v1/sessions', { fileRef, userId: 'bob' });
    expect(created.statusCode).toBe(201);
    const { sessionId } = created.json<SessionResponse>();
    const answers = [
      created,
      await post('/api/v1/sessions/renew', { sessionId }),
      await post('/api/v1/sessions', { fileRef, userId: 'bob' }, 'wgk_0000000000000000_' + 'A'.repeat(43)),
      await post('/api/v1/sessions', { fileRef: 7 }),
      await post('/api/v1/revocations', { userId: 'nobody' }),
      await app.inject({ method: 'GET', url: '/api/v1/no-such-route' }),
    ];
    expect(answers.map((answer) => answer.statusCode)).toEqual([201, 200, 401, 400, 201, 404]);
    for (const answer of answers) expect(answer.headers).toMatchObject(API_HEADERS);
    // Plain HTTP here (PUBLIC_BASE_URL is http): no HSTS, which would lock browsers out of it.
    expect(created.headers['strict-transport-security']).toBeUndefined();
  });

  it('are on admin API answers, refused ones included', async () => {
    const answers = [
      await app.inject({
        method: 'GET',
        url: '/admin/v1/write-backs/failed',
        headers: { authorization: `Bearer ${adminKey}` },
      }),
      await app.inject({ method: 'GET', url: '/admin/v1/write-backs/failed' }),
    ];
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 401]);
    for (const answer of answers) expect(answer.headers).toMatchObject(API_HEADERS);
  });

  it('keeps no cache copy of the PutRelativeFile answer, whose Url carries a token', async () => {
    const session = await openEditorSession(app, tenant, {
      fileRef: await core.refOf('Welcome.docx'),
      userId: 'alice',
    });
    const saveAs = await app.inject({
      method: 'POST',
      url: `/wopi/files/${session.fileId}?access_token=${encodeURIComponent(session.accessToken)}`,
      headers: {
        'x-wopi-override': 'PUT_RELATIVE',
        'x-wopi-suggestedtarget': '.docx',
        'content-type': 'application/octet-stream',
      },
      payload: Buffer.from('a copy'),
    });
    expect(saveAs.statusCode).toBe(200);
    expect(saveAs.json<{ Url: string }>().Url).toContain('access_token=');
    expect(saveAs.headers['cache-control']).toBe('no-store');
  });

  it('leave the host page its own policy (it must be framed by the core app)', async () => {
    const session = await openEditorSession(app, tenant, { fileRef: await core.refOf('Welcome.docx'), userId: 'bob' });
    const page = await app.inject({
      method: 'GET',
      url: new URL(session.hostPageUrl).pathname + new URL(session.hostPageUrl).search,
    });
    expect(page.statusCode).toBe(200);
    expect(page.headers['x-frame-options']).toBeUndefined();
    expect(page.headers['content-security-policy']).not.toContain("frame-ancestors 'none'");
  });
});
