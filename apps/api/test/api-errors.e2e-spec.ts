/**
 * What a core app sees when its request is wrong: one coded JSON body from docs/api-errors.md on
 * every non-WOPI route, whatever went wrong and however the body was sent.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { PrismaClient } from '@wopi/db';
import { createApp } from '../src/create-app';
import { startDemoCore, type RunningDemoCore } from '../../../test/support/demo-core';
import { testApiEnv } from '../../../test/support/gateway-env';
import { createTestTenant, testPrisma, type TestTenant } from '../../../test/support/test-tenant';

describe('API error catalogue over HTTP', () => {
  let app: NestFastifyApplication;
  let core: RunningDemoCore;
  let prisma: PrismaClient;
  let tenant: TestTenant;

  beforeAll(async () => {
    core = await startDemoCore();
    prisma = testPrisma();
    tenant = await createTestTenant(prisma, core);
    app = await createApp(testApiEnv());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app.close();
    await core.close();
    await prisma.$disconnect();
  });

  const createSession = (payload: string, contentType?: string) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      headers: {
        authorization: `Bearer ${tenant.sessionApiKey}`,
        ...(contentType ? { 'content-type': contentType } : {}),
      },
      payload,
    });

  it('401 UNAUTHENTICATED with WWW-Authenticate when the key is missing', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/sessions', payload: {} });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
  });

  it('400 VALIDATION_FAILED naming the field, for a wrong, a missing and an unknown field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ fileRef: 'a', userId: 'has space' }, 'userId'],
      [{ userId: 'alice' }, 'fileRef'],
      [{ fileRef: 'a', userId: 'alice', colour: 'red' }, 'colour'],
      [{ fileRef: 'a', userId: 'alice', action: 'destroy' }, 'action'],
    ];
    for (const [body, field] of cases) {
      const response = await createSession(JSON.stringify(body), 'application/json');
      expect({ field, status: response.statusCode, body: response.json() }).toEqual({
        field,
        status: 400,
        body: { error: { code: 'VALIDATION_FAILED', message: expect.any(String), field } },
      });
    }
  });

  it('400 VALIDATION_FAILED naming a required field when there is no body at all', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      headers: { authorization: `Bearer ${tenant.sessionApiKey}` },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'fileRef' });
  });

  it('400 MALFORMED_REQUEST for JSON that does not parse', async () => {
    const response = await createSession('{"fileRef": "a",', 'application/json');
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('MALFORMED_REQUEST');
  });

  it('415 UNSUPPORTED_MEDIA_TYPE for a body that is not JSON', async () => {
    for (const contentType of [undefined, 'text/plain', 'application/xml', 'application/vnd.example+json']) {
      const response = await createSession('fileRef=a&userId=alice', contentType);
      expect({ contentType, status: response.statusCode, code: response.json().error.code }).toEqual({
        contentType,
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
      });
    }
  });

  it('refuses a form body like any other non-JSON body: the JSON APIs read JSON only', async () => {
    const response = await createSession('fileRef=a&userId=alice', 'application/x-www-form-urlencoded');
    expect(response.statusCode).toBe(415);
    expect(response.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('404 NOT_FOUND for a route that does not exist', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('NOT_FOUND');
  });

  it('404 NOT_FOUND for a conversion of another tenant', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/v1/conversions/cv_AAAAAAAAAAAAAAAAAAAAAA',
      headers: { authorization: `Bearer ${tenant.sessionApiKey}` },
    });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No such conversion' } });
  });

  it('410 SESSION_ENDED when renewing a session that never existed', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sessions/renew',
      headers: { authorization: `Bearer ${tenant.sessionApiKey}` },
      payload: { sessionId: 'ses_does-not-exist' },
    });
    expect(response.statusCode).toBe(410);
    expect(response.json().error.code).toBe('SESSION_ENDED');
  });
});
