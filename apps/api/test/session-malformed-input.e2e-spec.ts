import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { PrismaClient } from '@wopi/db';
import { createApp } from '../src/create-app';
import { startDemoCore, type RunningDemoCore } from '../../../test/support/demo-core';
import { testApiEnv } from '../../../test/support/gateway-env';
import { createTestTenant, testPrisma, type TestTenant } from '../../../test/support/test-tenant';

const ROUTES = ['/api/v1/sessions', '/api/v1/sessions/renew', '/api/v1/revocations'];

// What an attacker, or a buggy core app, may send the session API. Every one is the caller's
// mistake: 400 (413 for a body over the server's limit), with a reason, never a 500.
describe('session API with malformed input', () => {
  let app: NestFastifyApplication;
  let core: RunningDemoCore;
  let prisma: PrismaClient;
  let tenant: TestTenant;
  let fileRef: string;

  beforeAll(async () => {
    core = await startDemoCore();
    prisma = testPrisma();
    tenant = await createTestTenant(prisma, core);
    app = await createApp(testApiEnv());
    await app.init();
    fileRef = await core.refOf('Welcome.docx');
  });

  afterAll(async () => {
    await app.close();
    await core.close();
    await prisma.$disconnect();
  });

  /** Sends a raw body (exactly these bytes) with the tenant's key. */
  const send = (url: string, body: string | Buffer, contentType = 'application/json') =>
    app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${tenant.sessionApiKey}`, 'content-type': contentType },
      payload: body,
    });

  const expect400 = async (url: string, body: string | Buffer, contentType?: string) => {
    const response = await send(url, body, contentType);
    return {
      status: response.statusCode,
      hasReason: typeof response.json<{ error?: { message?: unknown } }>().error?.message === 'string',
    };
  };

  // JSON escapes, so each string reaches the validator exactly as an attacker wrote it.
  const json = (value: unknown) => JSON.stringify(value);

  it('answers a well-formed request (the baseline)', async () => {
    expect((await send(ROUTES[0], json({ fileRef, userId: 'bob' }))).statusCode).toBe(201);
  });

  it.each([
    ['a lone high surrogate in fileRef', (ref: string) => `{"fileRef":"${ref}\\ud800","userId":"bob"}`],
    ['a lone low surrogate in userId', (ref: string) => `{"fileRef":"${ref}","userId":"bob\\udc00"}`],
    ['reversed surrogates in fileRef', (ref: string) => `{"fileRef":"\\udc00\\ud800${ref}","userId":"bob"}`],
    ['a NUL in userId', (ref: string) => `{"fileRef":"${ref}","userId":"bo\\u0000b"}`],
    ['a NUL in fileRef', (ref: string) => `{"fileRef":"${ref}\\u0000","userId":"bob"}`],
    ['an escape character in fileRef', (ref: string) => `{"fileRef":"${ref}\\u001b[31m","userId":"bob"}`],
    ['a line break in fileRef', (ref: string) => `{"fileRef":"${ref}\\r\\nX-Injected: 1","userId":"bob"}`],
    ['DEL and a C1 control in userId', (ref: string) => `{"fileRef":"${ref}","userId":"b\\u007fo\\u0085b"}`],
    ['a lone surrogate in locale', (ref: string) => `{"fileRef":"${ref}","userId":"bob","locale":"en-\\ud800"}`],
    [
      'a control character in returnUrl',
      (ref: string) => `{"fileRef":"${ref}","userId":"bob","returnUrl":"https://core.example/\\u0000"}`,
    ],
    ['an oversized fileRef', (ref: string) => json({ fileRef: ref + 'x'.repeat(600), userId: 'bob' })],
    ['an oversized userId', (ref: string) => json({ fileRef: ref, userId: 'u'.repeat(300) })],
    [
      'an oversized returnUrl',
      (ref: string) => json({ fileRef: ref, userId: 'bob', returnUrl: `https://core.example/${'a'.repeat(3000)}` }),
    ],
    ['a number for fileRef', () => json({ fileRef: 42, userId: 'bob' })],
    ['an object for userId', (ref: string) => json({ fileRef: ref, userId: { $ne: null } })],
    ['an array for fileRef', (ref: string) => json({ fileRef: [ref], userId: 'bob' })],
    ['null for userId', (ref: string) => json({ fileRef: ref, userId: null })],
    ['a boolean for action', (ref: string) => json({ fileRef: ref, userId: 'bob', action: true })],
    ['an unknown field', (ref: string) => json({ fileRef: ref, userId: 'bob', isAdmin: true })],
    ['a prototype-polluting field', (ref: string) => `{"fileRef":"${ref}","userId":"bob","__proto__":{"admin":true}}`],
    ['a JSON array', () => '[]'],
    ['JSON null', () => 'null'],
    ['a JSON string', () => '"fileRef"'],
    ['a JSON number', () => '42'],
    ['an empty body', () => ''],
    ['broken JSON', () => '{"fileRef": '],
    ['invalid UTF-8', () => Buffer.from([0x7b, 0x22, 0x66, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) as unknown as string],
  ])('POST /api/v1/sessions with %s: 400', async (_what, body) => {
    expect(await expect400(ROUTES[0], body(fileRef))).toEqual({ status: 400, hasReason: true });
  });

  it.each([
    ['a lone surrogate in sessionId', '{"sessionId":"abc\\ud800"}'],
    ['a lone surrogate in accessToken', '{"accessToken":"eyJ\\ud800.x.y"}'],
    ['a NUL in accessToken', '{"accessToken":"eyJ\\u0000.x.y"}'],
    ['an oversized accessToken', json({ accessToken: 'a'.repeat(5000) })],
    ['a number for sessionId', json({ sessionId: 7 })],
    ['an array', '[{"sessionId":"x"}]'],
  ])('POST /api/v1/sessions/renew with %s: 400', async (_what, body) => {
    expect(await expect400(ROUTES[1], body)).toEqual({ status: 400, hasReason: true });
  });

  it.each([
    ['a lone surrogate in userId', '{"userId":"bob\\udfff"}'],
    ['a NUL in fileRef', '{"userId":"bob","fileRef":"a\\u0000b"}'],
    ['a control character in userId', '{"userId":"b\\u0007ob"}'],
    ['an object for sessionId', '{"userId":"bob","sessionId":{}}'],
    ['JSON null', 'null'],
  ])('POST /api/v1/revocations with %s: 400', async (_what, body) => {
    expect(await expect400(ROUTES[2], body)).toEqual({ status: 400, hasReason: true });
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['a vendor type', 'application/vnd.core+json'],
    ['no type at all', ''],
  ])('refuses a body sent as %s with 400 or 415, never 500', async (_what, contentType) => {
    for (const url of ROUTES) {
      const response = await send(url, json({ fileRef, userId: 'bob' }), contentType);
      expect([400, 415]).toContain(response.statusCode);
    }
  });

  it('refuses a body over the server limit with 413', async () => {
    const response = await send(ROUTES[0], json({ fileRef, userId: 'bob', padding: 'x'.repeat(2 * 1024 * 1024) }));
    expect(response.statusCode).toBe(413);
  });
});
