import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { PrismaClient } from '@wopi/db';
import { TenantCache } from '@wopi/tenancy';
import { createApp } from '../src/create-app';
import type { SessionResponse } from '../src/session/create-session.dto';
import { startDemoCore, type RunningDemoCore } from '../../../test/support/demo-core';
import { openEditorSession } from '../../../test/support/editor-session';
import { testApiEnv } from '../../../test/support/gateway-env';
import { createTestTenant, testPrisma, type TestTenant } from '../../../test/support/test-tenant';
import {
  addDefaultWopiClient,
  generateProofKeyPair,
  type ProofKeyPair,
  proofHeaders,
  STAND_IN_URLSRC,
  startWopiClientStandIn,
  type WopiClientStandIn,
} from './support/wopi-client-stand-in';

const PUBLIC_BASE_URL = 'http://wopi.test';

/**
 * A tenant with two signing WOPI clients at once, as the demo has (its editor for documents, the
 * validator for .wopitest): the session API picks the client by file type and action, or by name;
 * the session's token then answers to that client's proof keys only, through renewals too.
 */
describe('several WOPI-client profiles per tenant', () => {
  let core: RunningDemoCore;
  let prisma: PrismaClient;
  let app: NestFastifyApplication;
  let tenant: TestTenant;
  let documents: WopiClientStandIn;
  let tester: WopiClientStandIn;
  let documentKeys: ProofKeyPair;
  let testerKeys: ProofKeyPair;

  beforeAll(async () => {
    [documentKeys, testerKeys] = [generateProofKeyPair(), generateProofKeyPair()];
    core = await startDemoCore();
    prisma = testPrisma();
    documents = await startWopiClientStandIn({
      current: documentKeys,
      actions: [
        { name: 'edit', ext: 'docx', urlsrc: STAND_IN_URLSRC },
        { name: 'view', ext: 'docx', urlsrc: STAND_IN_URLSRC },
        { name: 'view', ext: 'odt', urlsrc: STAND_IN_URLSRC },
      ],
    });
    tester = await startWopiClientStandIn({
      current: testerKeys,
      actions: [
        { name: 'view', ext: 'wopitest', urlsrc: STAND_IN_URLSRC },
        { name: 'edit', ext: 'wopitest', urlsrc: STAND_IN_URLSRC },
        // Also offers docx, but is not the default: the default wins where both could.
        { name: 'edit', ext: 'docx', urlsrc: STAND_IN_URLSRC },
      ],
    });
    tenant = await createTestTenant(prisma, core);
    await addDefaultWopiClient(prisma, tenant.id, {
      name: 'documents',
      discoveryUrl: documents.discoveryUrl,
      proofKeysRequired: true,
    });
    await prisma.wopiClientProfile.create({
      data: {
        tenantId: tenant.id,
        name: 'tester',
        kind: 'WOPI_VALIDATOR',
        discoveryUrl: tester.discoveryUrl,
        proofKeysRequired: true,
        isDefault: false,
      },
    });
    app = await createApp(testApiEnv({ PUBLIC_BASE_URL }));
    await app.init();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await documents?.close();
    await tester?.close();
    await core?.close();
    await prisma?.$disconnect();
  });

  async function open(fileName: string, extra: { client?: string; action?: 'view' | 'edit' } = {}) {
    return openEditorSession(app, tenant, { fileRef: await core.refOf(fileName), userId: 'alice', ...extra });
  }

  /** CheckFileInfo signed with `keys`, as that client would send it. */
  async function checkFileInfo(session: SessionResponse, keys: ProofKeyPair): Promise<number> {
    const path = `/wopi/files/${session.fileId}?access_token=${encodeURIComponent(session.accessToken)}`;
    const headers = proofHeaders({
      accessToken: session.accessToken,
      url: `${PUBLIC_BASE_URL}${path}`,
      proof: keys.privateKey,
    });
    return (await app.inject({ method: 'GET', url: path, headers })).statusCode;
  }

  it('opens each file type with the first client offering it, default first, and checks that client’s proofs', async () => {
    const docx = await open('Welcome.docx');
    expect(docx.client).toBe('documents');
    expect(docx.actionUrl).toContain(`${documents.baseUrl}/editor/edit?`);
    expect(await checkFileInfo(docx, documentKeys)).toBe(200);
    expect(await checkFileInfo(docx, testerKeys)).toBe(500);

    const wopitest = await open('validator.wopitest');
    expect(wopitest.client).toBe('tester');
    expect(wopitest.actionUrl).toContain(`${tester.baseUrl}/editor/edit?`);
    expect(await checkFileInfo(wopitest, testerKeys)).toBe(200);
    expect(await checkFileInfo(wopitest, documentKeys)).toBe(500);
  });

  it('opens an edit session of a type no client edits in a viewer of it, the token still writable', async () => {
    const odt = await open('Meeting notes.odt');
    expect(odt).toMatchObject({ client: 'documents', action: 'edit' });
    expect(odt.actionUrl).toContain(`${documents.baseUrl}/editor/view?`);
    const path = `/wopi/files/${odt.fileId}?access_token=${encodeURIComponent(odt.accessToken)}`;
    const headers = proofHeaders({
      accessToken: odt.accessToken,
      url: `${PUBLIC_BASE_URL}${path}`,
      proof: documentKeys.privateKey,
    });
    const info = await app.inject({ method: 'GET', url: path, headers });
    expect(info.statusCode).toBe(200);
    expect(info.json<{ UserCanWrite: boolean }>().UserCanWrite).toBe(true);
  });

  it('uses the client a session names, and refuses a name the tenant does not have', async () => {
    const named = await open('Welcome.docx', { client: 'tester' });
    expect(named.client).toBe('tester');
    expect(named.actionUrl).toContain(`${tester.baseUrl}/editor/edit?`);
    expect(await checkFileInfo(named, testerKeys)).toBe(200);
    expect(await checkFileInfo(named, documentKeys)).toBe(500);

    // Named, but that client has no such action: no action URL, and still that client's session.
    const noView = await open('Welcome.docx', { client: 'tester', action: 'view' });
    expect(noView).toMatchObject({ client: 'tester', actionUrl: null });

    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      headers: { authorization: `Bearer ${tenant.sessionApiKey}` },
      payload: { fileRef: await core.refOf('Welcome.docx'), userId: 'alice', client: 'nobody' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { message: string; field: string } }>().error).toMatchObject({
      field: 'client',
      message: 'The tenant has no WOPI-client profile named "nobody"',
    });
  });

  it('keeps the client through a renewal, and the host page frames that client', async () => {
    const wopitest = await open('validator.wopitest');
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sessions/renew',
      headers: { authorization: `Bearer ${tenant.sessionApiKey}` },
      payload: { sessionId: wopitest.sessionId },
    });
    expect(response.statusCode).toBe(200);
    const renewed = response.json<SessionResponse>();
    expect(renewed.client).toBe('tester');
    expect(await checkFileInfo(renewed, testerKeys)).toBe(200);
    expect(await checkFileInfo(renewed, documentKeys)).toBe(500);

    const page = await app.inject({
      method: 'GET',
      url: new URL(renewed.hostPageUrl).pathname + new URL(renewed.hostPageUrl).search,
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`${tester.baseUrl}/editor/edit?`);
    expect(page.body).not.toContain(documents.baseUrl);
  });

  it('gives the copy a PutRelativeFile made a token of the same client', async () => {
    const wopitest = await open('validator.wopitest');
    const path = `/wopi/files/${wopitest.fileId}?access_token=${encodeURIComponent(wopitest.accessToken)}`;
    const response = await app.inject({
      method: 'POST',
      url: path,
      headers: {
        ...proofHeaders({
          accessToken: wopitest.accessToken,
          url: `${PUBLIC_BASE_URL}${path}`,
          proof: testerKeys.privateKey,
        }),
        'x-wopi-override': 'PUT_RELATIVE',
        'x-wopi-suggestedtarget': '.wopitest',
        'content-type': 'application/octet-stream',
      },
      payload: Buffer.from('copy'),
    });
    expect(response.statusCode).toBe(200);
    const copyUrl = new URL(response.json<{ Url: string }>().Url);
    const copy = {
      fileId: copyUrl.pathname.split('/').pop()!,
      accessToken: copyUrl.searchParams.get('access_token')!,
    } as SessionResponse;
    expect(await checkFileInfo(copy, testerKeys)).toBe(200);
    expect(await checkFileInfo(copy, documentKeys)).toBe(500);
  });

  it('ends the sessions of a client that was removed from the tenant', async () => {
    const wopitest = await open('validator.wopitest');
    await prisma.wopiClientProfile.delete({ where: { tenantId_name: { tenantId: tenant.id, name: 'tester' } } });
    // Deleted behind the admin API's back: tell the processes, as an admin write would.
    await app.get(TenantCache).changed(tenant.id);
    const path = `/wopi/files/${wopitest.fileId}?access_token=${encodeURIComponent(wopitest.accessToken)}`;
    const headers = proofHeaders({
      accessToken: wopitest.accessToken,
      url: `${PUBLIC_BASE_URL}${path}`,
      proof: testerKeys.privateKey,
    });
    expect((await app.inject({ method: 'GET', url: path, headers })).statusCode).toBe(401);
    // The default client's keys do not stand in for the removed one's.
    const withDefault = proofHeaders({
      accessToken: wopitest.accessToken,
      url: `${PUBLIC_BASE_URL}${path}`,
      proof: documentKeys.privateKey,
    });
    expect((await app.inject({ method: 'GET', url: path, headers: withDefault })).statusCode).toBe(401);
  });
});
