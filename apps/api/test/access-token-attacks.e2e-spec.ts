import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { accessTokenKeyId, AccessTokenService } from '@wopi/access-tokens';
import type { PrismaClient } from '@wopi/db';
import { SignJWT } from 'jose';
import { createApp } from '../src/create-app';
import type { SessionResponse as Session } from '../src/session/create-session.dto';
import { startDemoCore, type RunningDemoCore } from '../../../test/support/demo-core';
import { openEditorSession } from '../../../test/support/editor-session';
import { testApiEnv, testSecrets } from '../../../test/support/gateway-env';
import { createTestTenant, testPrisma, type TestTenant } from '../../../test/support/test-tenant';

type Token = Pick<Session, 'fileId' | 'accessToken'>;

/** 401 and not one byte of the document: what every refused token must get. */
const REFUSED = { status: 401, bytes: 0 };

/** The claims of a token, as an attacker holding it can read them (a JWT is only signed). */
function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
}

function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as Record<string, unknown>;
}

function signWith(key: string, kid: string, claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid }).sign(new TextEncoder().encode(key));
}

// Every attack a holder of one token, or of none, can try against the WOPI surface. Each must end
// in 401 with no file data: a token is only good for its file, its user, its tenant, its lifetime.
describe('access tokens under attack', () => {
  let app: NestFastifyApplication;
  let core: RunningDemoCore;
  let prisma: PrismaClient;
  let tenant: TestTenant;
  let otherTenant: TestTenant;

  const open = async (t: TestTenant, name: string, userId: string) =>
    openEditorSession(app, t, { fileRef: await core.refOf(name), userId });
  const getFile = (on: NestFastifyApplication, s: Token, headers: Record<string, string> = {}) =>
    on.inject({
      method: 'GET',
      url: `/wopi/files/${s.fileId}/contents?access_token=${encodeURIComponent(s.accessToken)}`,
      headers,
    });
  /** What the holder of a token gets: its status and how many bytes of the document. */
  const outcome = async (s: Token, on: NestFastifyApplication = app) => {
    const response = await getFile(on, s);
    return { status: response.statusCode, bytes: response.rawPayload.length };
  };

  beforeAll(async () => {
    core = await startDemoCore();
    prisma = testPrisma();
    tenant = await createTestTenant(prisma, core);
    otherTenant = await createTestTenant(prisma, core);
    app = await createApp(testApiEnv());
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    await core.close();
    await prisma.$disconnect();
  });

  it('serves the document to the token it was issued for (the baseline every attack is measured against)', async () => {
    const bob = await open(tenant, 'Welcome.docx', 'bob');
    const response = await getFile(app, bob);
    expect(response.statusCode).toBe(200);
    expect(response.rawPayload.length).toBeGreaterThan(0);
  });

  it('refuses a tampered token: another user, file, tenant, permission or expiry under the old signature', async () => {
    const carol = await open(tenant, 'Welcome.docx', 'carol');
    const bobSheet = await open(tenant, 'Budget.xlsx', 'bob');
    const [header, , signature] = carol.accessToken.split('.');
    const claims = claimsOf(carol.accessToken);
    for (const change of [
      { sub: 'bob' },
      { fid: bobSheet.fileId },
      { tid: otherTenant.id },
      { p: 'rwndcs' },
      { exp: (claims.exp as number) + 86_400 },
    ]) {
      const payload = Buffer.from(JSON.stringify({ ...claims, ...change })).toString('base64url');
      expect(await outcome({ fileId: carol.fileId, accessToken: `${header}.${payload}.${signature}` })).toEqual(
        REFUSED,
      );
    }
    // One changed character of the signature (the first: the last one's low bits are base64 padding).
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    expect(
      await outcome({
        fileId: carol.fileId,
        accessToken: `${header}.${carol.accessToken.split('.')[1]}.${flipped}`,
      }),
    ).toEqual(REFUSED);
  });

  it('refuses an expired token, though its signature holds', async () => {
    const bob = await open(tenant, 'Welcome.docx', 'bob');
    const claims = claimsOf(bob.accessToken);
    const { token } = await app.get(AccessTokenService).issue({
      tenantId: tenant.id,
      fileId: bob.fileId,
      userId: 'bob',
      permissions: { read: true, write: true, rename: false, delete: false, createSibling: false, share: false },
      ttlMs: -2_000,
      sessionId: claims.sid as string,
    });
    expect(await outcome({ fileId: bob.fileId, accessToken: token })).toEqual(REFUSED);
  });

  it("refuses a token on another file, and on another tenant's file (tenant isolation of file IDs)", async () => {
    const bobDoc = await open(tenant, 'Welcome.docx', 'bob');
    const bobSheet = await open(tenant, 'Budget.xlsx', 'bob');
    const theirs = await open(otherTenant, 'Welcome.docx', 'bob');
    // Same user, same tenant, another file.
    expect(await outcome({ fileId: bobSheet.fileId, accessToken: bobDoc.accessToken })).toEqual(REFUSED);
    // Tenant A's token on tenant B's file ID, and the other way round: the same demo document,
    // even the same user id, is another file in another tenant.
    expect(await outcome({ fileId: theirs.fileId, accessToken: bobDoc.accessToken })).toEqual(REFUSED);
    expect(await outcome({ fileId: bobDoc.fileId, accessToken: theirs.accessToken })).toEqual(REFUSED);
    expect(theirs.fileId).not.toBe(bobDoc.fileId);
  });

  it("tenant isolation: tenant A's session API key gets nothing of tenant B's sessions or conversions", async () => {
    const theirs = await open(otherTenant, 'Welcome.docx', 'bob');
    const asTenantA = (method: 'GET' | 'POST', url: string, payload?: object) =>
      app.inject({ method, url, headers: { authorization: `Bearer ${tenant.sessionApiKey}` }, payload });
    // Renewing B's session, by id or by its token: "unknown session", and no token in the answer.
    for (const body of [{ sessionId: theirs.sessionId }, { accessToken: theirs.accessToken }]) {
      const renewed = await asTenantA('POST', '/api/v1/sessions/renew', body);
      expect(renewed.statusCode).toBe(410);
      expect(renewed.body).not.toContain('accessToken');
    }
    // A revocation by A is written into A's deny list only (ADR 0010: even for a session it
    // does not know): B's same user id and B's session stay untouched.
    for (const body of [{ userId: 'bob', sessionId: theirs.sessionId }, { userId: 'bob' }]) {
      expect((await asTenantA('POST', '/api/v1/revocations', body)).statusCode).toBe(201);
    }
    expect((await getFile(app, theirs)).statusCode).toBe(200);
    // B's conversion is unknown to A.
    const conversion = await app.inject({
      method: 'POST',
      url: '/api/v1/conversions',
      headers: { authorization: `Bearer ${otherTenant.sessionApiKey}` },
      payload: { fileRef: await core.refOf('Welcome.docx'), userId: 'alice', targetFormat: 'pdf' },
    });
    expect(conversion.statusCode).toBe(202);
    const { conversionId } = conversion.json<{ conversionId: string }>();
    expect((await asTenantA('GET', `/api/v1/conversions/${conversionId}`)).statusCode).toBe(404);
  });

  it("refuses a revoked token and leaves another user's token alone", async () => {
    const bob = await open(tenant, 'Welcome.docx', 'bob');
    const alice = await open(tenant, 'Welcome.docx', 'alice');
    const revoked = await app.inject({
      method: 'POST',
      url: '/api/v1/revocations',
      headers: { authorization: `Bearer ${tenant.sessionApiKey}` },
      payload: { userId: 'bob', sessionId: bob.sessionId },
    });
    expect(revoked.statusCode).toBe(201);
    expect(await outcome(bob)).toEqual(REFUSED);
    expect((await getFile(app, alice)).statusCode).toBe(200);
  });

  it('refuses a token signed with a key the gateway does not hold, even under a known key id', async () => {
    const bob = await open(tenant, 'Welcome.docx', 'bob');
    const claims = claimsOf(bob.accessToken);
    const kid = headerOf(bob.accessToken).kid as string;
    expect(kid).toBe(accessTokenKeyId(testSecrets().ACCESS_TOKEN_SIGNING_KEY));
    const guessed = randomBytes(32).toString('base64url');
    expect(await outcome({ fileId: bob.fileId, accessToken: await signWith(guessed, kid, claims) })).toEqual(REFUSED);
    expect(
      await outcome({
        fileId: bob.fileId,
        accessToken: await signWith(guessed, accessTokenKeyId(guessed), claims),
      }),
    ).toEqual(REFUSED);
  });

  it('refuses an unsigned token (alg: none) and one that names another algorithm', async () => {
    const bob = await open(tenant, 'Welcome.docx', 'bob');
    const kid = headerOf(bob.accessToken).kid as string;
    const payload = bob.accessToken.split('.')[1];
    for (const header of [{ alg: 'none', kid }, { alg: 'none' }, { alg: 'NONE', kid }, { alg: 'HS512', kid }]) {
      const encoded = Buffer.from(JSON.stringify(header)).toString('base64url');
      expect(await outcome({ fileId: bob.fileId, accessToken: `${encoded}.${payload}.` })).toEqual(REFUSED);
      expect(
        await outcome({
          fileId: bob.fileId,
          accessToken: `${encoded}.${payload}.${bob.accessToken.split('.')[2]}`,
        }),
      ).toEqual(REFUSED);
    }
  });

  describe('signing-key rotation', () => {
    const oldKey = testSecrets().ACCESS_TOKEN_SIGNING_KEY;
    const newKey = randomBytes(32).toString('base64url');

    it('keeps editors signed in: a token of the old key works where the old key only verifies, and fails once it is gone', async () => {
      const bob = await open(tenant, 'Welcome.docx', 'bob');
      // Step 1 of the procedure (docs/security.md): every instance learns the new key, signing with the old.
      const learning = await createApp(testApiEnv({ ACCESS_TOKEN_VERIFICATION_KEYS: newKey }));
      // Step 2: the new key signs, the old one still verifies.
      const rotated = await createApp(
        testApiEnv({ ACCESS_TOKEN_SIGNING_KEY: newKey, ACCESS_TOKEN_VERIFICATION_KEYS: oldKey }),
      );
      // Step 3, a day later: the old key is gone.
      const finished = await createApp(testApiEnv({ ACCESS_TOKEN_SIGNING_KEY: newKey }));
      try {
        for (const instance of [learning, rotated, finished]) await instance.init();
        const fresh = await openEditorSession(rotated, tenant, {
          fileRef: await core.refOf('Welcome.docx'),
          userId: 'bob',
        });
        expect(headerOf(fresh.accessToken).kid).toBe(accessTokenKeyId(newKey));

        expect((await getFile(rotated, bob)).statusCode).toBe(200);
        // Mid-rollout, an instance still signing with the old key already accepts the new tokens.
        expect((await getFile(learning, fresh)).statusCode).toBe(200);
        expect((await getFile(finished, fresh)).statusCode).toBe(200);
        expect(await outcome(bob, finished)).toEqual(REFUSED);
        // An instance that never learnt the new key refuses its tokens: why step 1 comes first.
        expect(await outcome(fresh, app)).toEqual(REFUSED);
      } finally {
        // One after the other: their queue connections must not be torn down while another closes.
        for (const instance of [learning, rotated, finished]) await instance.close();
      }
    });
  });
});

// Behind TLS, a token, ticket or API key that arrives over plain HTTP has crossed the network in clear.
describe('a gateway whose public URL is https', () => {
  let core: RunningDemoCore;
  let prisma: PrismaClient;
  let tenant: TestTenant;
  let behindTrustedProxy: NestFastifyApplication;
  let trustingNoProxy: NestFastifyApplication;

  beforeAll(async () => {
    core = await startDemoCore();
    prisma = testPrisma();
    tenant = await createTestTenant(prisma, core);
    behindTrustedProxy = await createApp(testApiEnv({ PUBLIC_BASE_URL: 'https://wopi.test', TRUST_PROXY: 'true' }));
    await behindTrustedProxy.init();
    trustingNoProxy = await createApp(testApiEnv({ PUBLIC_BASE_URL: 'https://wopi.test' }));
    await trustingNoProxy.init();
  });

  afterAll(async () => {
    await trustingNoProxy.close();
    await behindTrustedProxy.close();
    await core.close();
    await prisma.$disconnect();
  });

  const sessionOver = async (app: NestFastifyApplication, proto: string) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      headers: { authorization: `Bearer ${tenant.sessionApiKey}`, 'x-forwarded-proto': proto },
      payload: { fileRef: await core.refOf('Welcome.docx'), userId: 'bob' },
    });

  it('behind a proxy it trusts: refuses tokens and API keys the proxy got over HTTP, serves what came over HTTPS', async () => {
    const app = behindTrustedProxy;
    const plain = await sessionOver(app, 'http');
    expect(plain.statusCode).toBe(403);
    expect(plain.json().error).toMatchObject({ message: 'This gateway only accepts HTTPS: use https://wopi.test' });
    expect(plain.body).not.toContain('accessToken');

    const secure = await sessionOver(app, 'https');
    expect(secure.statusCode).toBe(201);
    const session = secure.json<Session>();
    expect(secure.headers['strict-transport-security']).toBe('max-age=31536000');

    const url = `/wopi/files/${session.fileId}/contents?access_token=${encodeURIComponent(session.accessToken)}`;
    const overHttp = await app.inject({ method: 'GET', url, headers: { 'x-forwarded-proto': 'http' } });
    expect(overHttp.statusCode).toBe(401);
    expect(overHttp.rawPayload.length).toBe(0);
    expect((await app.inject({ method: 'GET', url, headers: { 'x-forwarded-proto': 'https' } })).statusCode).toBe(200);
    // Orchestrators probe over plain HTTP, and carry nothing secret.
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('without TRUST_PROXY: ignores a client-sent X-Forwarded-Proto and refuses (fails closed)', async () => {
    expect((await sessionOver(trustingNoProxy, 'https')).statusCode).toBe(403);
  });
});
