import { createHash, randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { PrismaClient } from '@wopi/db';
import type { INestApplicationContext } from '@nestjs/common';
import { createWorker } from '../../worker/src/create-worker';
import { createApp } from '../src/create-app';
import { startDemoCore, type RunningDemoCore } from '../../../test/support/demo-core';
import { openEditorSession } from '../../../test/support/editor-session';
import { testApiEnv, testWorkerEnv } from '../../../test/support/gateway-env';
import { createTestTenant, testPrisma, type TestTenant } from '../../../test/support/test-tenant';
import { waitFor } from '../../../test/support/wait-for';

interface Session {
  fileId: string;
  accessToken: string;
}

describe('WOPI file operations', () => {
  let app: NestFastifyApplication;
  let worker: INestApplicationContext;
  let core: RunningDemoCore;
  let prisma: PrismaClient;
  let tenant: TestTenant;

  async function open(t: TestTenant, name: string, userId: string, action?: 'view' | 'edit'): Promise<Session> {
    return openEditorSession(app, t, { fileRef: await core.refOf(name), userId, ...(action ? { action } : {}) });
  }

  const wopi = (
    s: Session,
    options: { path?: string; method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: Buffer } = {},
  ) =>
    app.inject({
      method: options.method ?? 'GET',
      url: `/wopi/files/${s.fileId}${options.path ?? ''}?access_token=${encodeURIComponent(s.accessToken)}`,
      headers: { ...(options.body ? { 'content-type': 'application/octet-stream' } : {}), ...options.headers },
      payload: options.body,
    });
  const lock = (s: Session, override: string, lockId: string, extra: Record<string, string> = {}) =>
    wopi(s, { method: 'POST', headers: { 'x-wopi-override': override, 'x-wopi-lock': lockId, ...extra } });
  const put = (s: Session, lockId: string | undefined, body: Buffer, extra: Record<string, string> = {}) =>
    wopi(s, {
      method: 'POST',
      path: '/contents',
      headers: { 'x-wopi-override': 'PUT', ...(lockId ? { 'x-wopi-lock': lockId } : {}), ...extra },
      body,
    });

  beforeAll(async () => {
    core = await startDemoCore();
    prisma = testPrisma();
    tenant = await createTestTenant(prisma, core);
    app = await createApp(testApiEnv());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    worker = await createWorker(testWorkerEnv({ WRITE_BACK_RELAY_INTERVAL_MS: '500' }));
    await worker.init();
  });

  afterAll(async () => {
    await worker.close();
    await app.close();
    await core.close();
    await prisma.$disconnect();
  });

  it('never serves a file to a token of another file or another tenant', async () => {
    const other = await createTestTenant(prisma, core);
    const mine = await open(tenant, 'Budget.xlsx', 'alice');
    const theirs = await open(other, 'Roadmap.pptx', 'alice');
    const sameTenantOtherFile = await open(tenant, 'Roadmap.pptx', 'alice');
    expect((await wopi({ fileId: mine.fileId, accessToken: theirs.accessToken })).statusCode).toBe(401);
    expect((await wopi({ fileId: mine.fileId, accessToken: sameTenantOtherFile.accessToken })).statusCode).toBe(401);
    expect((await wopi({ fileId: mine.fileId, accessToken: `${mine.accessToken}x` })).statusCode).toBe(401);
    expect(
      (await wopi({ fileId: mine.fileId, accessToken: theirs.accessToken }, { path: '/contents' })).statusCode,
    ).toBe(401);
    // The bearer header is accepted as well as the query parameter.
    const bearer = await app.inject({
      method: 'GET',
      url: `/wopi/files/${mine.fileId}`,
      headers: { authorization: `Bearer ${mine.accessToken}` },
    });
    expect(bearer.statusCode).toBe(200);
  });

  it('describes the file and the user in CheckFileInfo, omitting what it cannot fill', async () => {
    const bob = await open(tenant, 'Welcome.docx', 'bob');
    const response = await wopi(bob);
    expect(response.statusCode).toBe(200);
    const info = response.json();
    expect(info).toMatchObject({
      BaseFileName: 'Welcome.docx',
      OwnerId: `${tenant.id}.alice`,
      UserId: `${tenant.id}.bob`,
      UserFriendlyName: 'Bob Brown',
      UserCanWrite: true,
      ReadOnly: false,
      SupportsLocks: true,
      SupportsGetLock: true,
      SupportsExtendedLockLength: true,
      SupportsUpdate: true,
      UserCanNotWriteRelative: false,
      IsAnonymousUser: false,
      FileExtension: '.docx',
    });
    expect(info.Version).toMatch(/^\d+$/);
    expect(info.LastModifiedTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
    expect(Object.values(info)).not.toContain(null);
    const bytes = await wopi(bob, { path: '/contents' });
    expect(bytes.headers['x-wopi-itemversion']).toBe(info.Version);
    expect(bytes.rawPayload.length).toBe(info.Size);
    expect(createHash('sha256').update(bytes.rawPayload).digest('base64')).toBe(info.SHA256);
  });

  it('lets a viewer read but not lock or write', async () => {
    const carol = await open(tenant, 'Roadmap.pptx', 'carol');
    const info = (await wopi(carol)).json();
    expect(info).toMatchObject({ UserCanWrite: false, ReadOnly: true, UserCanRename: false });
    expect((await wopi(carol, { path: '/contents' })).statusCode).toBe(200);
    expect((await lock(carol, 'LOCK', 'viewer-lock')).statusCode).toBe(401);
    expect((await put(carol, undefined, Buffer.from('x'))).statusCode).toBe(401);
  });

  it('co-authoring: two users share one file ID and one lock, each keeps their identity, saves from both land in order', async () => {
    const alice = await open(tenant, 'Meeting notes.odt', 'alice');
    const bob = await open(tenant, 'Meeting notes.odt', 'bob');
    expect(bob.fileId).toBe(alice.fileId);
    const lockId = `coauth-${randomBytes(6).toString('hex')}`;

    expect((await lock(alice, 'LOCK', lockId)).statusCode).toBe(200);
    expect((await lock(bob, 'REFRESH_LOCK', lockId)).statusCode).toBe(200);
    const versions: number[] = [];
    const contents = [0, 1, 2, 3].map((i) => Buffer.from(`revision ${i} ${randomBytes(8).toString('hex')}`));
    for (const [i, content] of contents.entries()) {
      const saver = i % 2 === 0 ? alice : bob;
      const response = await put(saver, lockId, content, { 'x-wopi-editors': `${tenant.id}.alice,${tenant.id}.bob` });
      expect(response.statusCode).toBe(200);
      versions.push(Number(response.headers['x-wopi-itemversion']));
    }
    expect(versions).toEqual([versions[0], versions[0] + 1, versions[0] + 2, versions[0] + 3]);

    const [aliceInfo, bobInfo] = [(await wopi(alice)).json(), (await wopi(bob)).json()];
    expect(aliceInfo.UserId).toBe(`${tenant.id}.alice`);
    expect(bobInfo.UserId).toBe(`${tenant.id}.bob`);
    expect(aliceInfo.Version).toBe(String(versions[3]));
    expect(bobInfo.Version).toBe(aliceInfo.Version);
    expect(aliceInfo.SHA256).toBe(createHash('sha256').update(contents[3]).digest('base64'));
    const latest = await wopi(bob, { path: '/contents' });
    expect(latest.rawPayload.equals(contents[3])).toBe(true);
    expect(latest.headers['x-wopi-itemversion']).toBe(String(versions[3]));

    // The worker writes the last save back to the core app; the gateway recorded who contributed.
    const saved = await waitFor(
      async () => {
        const row = await prisma.fileVersion.findFirstOrThrow({ where: { fileId: alice.fileId, number: versions[3] } });
        return row.writeBackState === 'CONFIRMED' ? row : undefined;
      },
      'the write-back of the last save',
      20_000,
    );
    expect(saved).toMatchObject({
      savedBy: `${tenant.id}.bob`,
      editors: [`${tenant.id}.alice`, `${tenant.id}.bob`],
      blobKey: null,
    });
    const ref = await core.refOf('Meeting notes.odt');
    const inCore = await core.signedFetch('GET', `/core/v1/files/${ref}/content?userId=alice`);
    expect(Buffer.from(await inCore.arrayBuffer()).equals(contents[3])).toBe(true);

    expect((await lock(bob, 'UNLOCK', lockId)).statusCode).toBe(200);
    const afterUnlock = await lock(alice, 'GET_LOCK', '');
    expect(afterUnlock.headers['x-wopi-lock']).toBe('');
  });

  it('keeps a waiting save readable and delivered when Save As writes the same bytes', async () => {
    const ownCore = await startDemoCore();
    try {
      const own = await createTestTenant(prisma, ownCore);
      const ref = await ownCore.refOf('Welcome.docx');
      const session = await openEditorSession(app, own, { fileRef: ref, userId: 'alice' });
      const lockId = `saveas-${randomBytes(6).toString('hex')}`;
      expect((await lock(session, 'LOCK', lockId)).statusCode).toBe(200);
      // The core app refuses uploads of this file for now, so the save waits in staging.
      await ownCore.signedFetch('PUT', '/_control/fault', {
        mode: 'error',
        status: 500,
        methods: ['PUT'],
        paths: `^/core/v1/files/${ref}/content`,
      });
      const content = Buffer.from(`saved then saved as ${randomBytes(8).toString('hex')}`);
      expect((await put(session, lockId, content)).statusCode).toBe(200);

      // Save As right after the save: the same bytes, staged under the same content address.
      const saveAs = await wopi(session, {
        method: 'POST',
        headers: { 'x-wopi-override': 'PUT_RELATIVE', 'x-wopi-suggestedtarget': '.docx' },
        body: content,
      });
      expect(saveAs.statusCode).toBe(200);

      const read = await wopi(session, { path: '/contents' });
      expect(read.statusCode).toBe(200);
      expect(read.rawPayload.equals(content)).toBe(true);

      await ownCore.signedFetch('PUT', '/_control/fault', { mode: 'none' });
      await waitFor(
        async () => (await prisma.writeBackOutbox.count({ where: { fileId: session.fileId } })) === 0,
        'the waiting save to be written back',
        30_000,
      );
      const inCore = await ownCore.signedFetch('GET', `/core/v1/files/${ref}/content?userId=alice`);
      expect(Buffer.from(await inCore.arrayBuffer()).equals(content)).toBe(true);
    } finally {
      await ownCore.close();
    }
  });

  it('answers a lock mismatch with 409 and the current lock', async () => {
    const alice = await open(tenant, 'Budget.xlsx', 'alice');
    expect((await lock(alice, 'LOCK', 'first')).statusCode).toBe(200);
    const mismatch = await lock(alice, 'LOCK', 'second');
    expect(mismatch.statusCode).toBe(409);
    expect(mismatch.headers['x-wopi-lock']).toBe('first');
    const putMismatch = await put(alice, 'second', Buffer.from('nope'));
    expect(putMismatch.statusCode).toBe(409);
    expect(putMismatch.headers['x-wopi-lock']).toBe('first');
    expect((await lock(alice, 'UNLOCK', 'first')).statusCode).toBe(200);
    const unlocked = await lock(alice, 'UNLOCK', 'first');
    expect(unlocked.statusCode).toBe(409);
    expect(unlocked.headers['x-wopi-lock']).toBe('');
  });

  it('refuses a body over the tenant limit with 413 and keeps the file as it was', async () => {
    const small = await createTestTenant(prisma, core);
    await prisma.tenant.update({ where: { id: small.id }, data: { maxFileBytes: 1024n } });
    const alice = await open(small, 'Welcome.docx', 'alice');
    const before = (await wopi(alice)).json();
    expect((await lock(alice, 'LOCK', 'big')).statusCode).toBe(200);
    expect((await put(alice, 'big', randomBytes(4096))).statusCode).toBe(413);
    const after = (await wopi(alice)).json();
    expect(after.Version).toBe(before.Version);
    expect(after.SHA256).toBe(before.SHA256);
    await lock(alice, 'UNLOCK', 'big');
  });

  it('answers 412 when the file is larger than X-WOPI-MaxExpectedSize', async () => {
    const alice = await open(tenant, 'Roadmap.pptx', 'alice');
    const response = await wopi(alice, { path: '/contents', headers: { 'x-wopi-maxexpectedsize': '10' } });
    expect(response.statusCode).toBe(412);
  });

  it('answers 501 for an unknown X-WOPI-Override', async () => {
    const alice = await open(tenant, 'Roadmap.pptx', 'alice');
    expect((await wopi(alice, { method: 'POST', headers: { 'x-wopi-override': 'TELEPORT' } })).statusCode).toBe(501);
  });
});

describe('Collabora behaviour', () => {
  let app: NestFastifyApplication;
  let core: RunningDemoCore;
  let prisma: PrismaClient;

  beforeAll(async () => {
    core = await startDemoCore();
    prisma = testPrisma();
    app = await createApp(testApiEnv());
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    await core.close();
    await prisma.$disconnect();
  });

  it('refuses a save based on an outdated X-COOL-WOPI-Timestamp with 409 COOLStatusCode 1010, and returns LastModifiedTime', async () => {
    const tenant = await createTestTenant(prisma, core);
    const session = await openEditorSession(app, tenant, {
      fileRef: await core.refOf('Meeting notes.odt'),
      userId: 'alice',
    });
    const url = `/wopi/files/${session.fileId}`;
    const token = `access_token=${encodeURIComponent(session.accessToken)}`;
    const info = (await app.inject({ method: 'GET', url: `${url}?${token}` })).json();
    await app.inject({
      method: 'POST',
      url: `${url}?${token}`,
      headers: { 'x-wopi-override': 'LOCK', 'x-wopi-lock': 'cool' },
    });
    const save = (timestamp: string) =>
      app.inject({
        method: 'POST',
        url: `${url}/contents?${token}`,
        headers: {
          'x-wopi-override': 'PUT',
          'x-wopi-lock': 'cool',
          'x-cool-wopi-timestamp': timestamp,
          'x-cool-wopi-isautosave': 'true',
          'content-type': 'application/octet-stream',
        },
        payload: Buffer.from(`saved at ${Date.now()}`),
      });

    const first = await save(info.LastModifiedTime);
    expect(first.statusCode).toBe(200);
    const { LastModifiedTime } = first.json();
    expect(LastModifiedTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    const outdated = await save(info.LastModifiedTime);
    expect(outdated.statusCode).toBe(409);
    expect(outdated.json()).toMatchObject({ COOLStatusCode: 1010 });
    expect((await save(LastModifiedTime)).statusCode).toBe(200);
  });
});
