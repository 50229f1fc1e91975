// Saves over a real socket, as WOPI clients send them: every Content-Type, sized and chunked
// bodies, uploads cut off mid-body, a lock that changes while a body streams, a core app that
// does not answer, and a view-only session's lock (docs/adr/0016-save-integrity.md).
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { PrismaClient } from '@wopi/db';
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

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What real clients put on a file body: nothing, text, JSON, a form, multipart, vendor types. */
const CONTENT_TYPES: (string | undefined)[] = [
  undefined,
  'text/plain',
  'text/plain; charset=utf-8',
  'application/json',
  'application/json; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----wopi',
  'application/octet-stream',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.example+json',
  'text/html',
];

/** Bodies that a parser would take for its own: valid JSON, a valid form, text, and binary. */
function bodiesFor(index: number): Buffer[] {
  return [
    Buffer.from(JSON.stringify({ saved: index, note: 'a JSON-looking document' })),
    Buffer.from(`field=${index}&other=value+with+spaces`),
    Buffer.concat([Buffer.from(`binary ${index}\n`), randomBytes(70_000)]),
  ];
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('Save integrity over HTTP', () => {
  let app: NestFastifyApplication;
  let baseUrl: string;
  let core: RunningDemoCore;
  let prisma: PrismaClient;
  let tenant: TestTenant;
  const stagingDir = process.env.WOPI_TEST_STAGING_DIR!;

  /** One HTTP/1.1 request; `chunked` sends the body without Content-Length. */
  function send(
    s: Session,
    options: { path?: string; method?: string; headers?: Record<string, string>; body?: Buffer; chunked?: boolean },
  ): Promise<Answer> {
    const url = new URL(`/wopi/files/${s.fileId}${options.path ?? ''}`, baseUrl);
    url.searchParams.set('access_token', s.accessToken);
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      const body = options.body;
      if (body === undefined) return req.end();
      if (options.chunked) {
        // Several chunks, so the body really arrives in pieces.
        const step = Math.max(1, Math.ceil(body.length / 3));
        for (let offset = 0; offset < body.length; offset += step) req.write(body.subarray(offset, offset + step));
        return req.end();
      }
      req.setHeader('content-length', String(body.length));
      req.end(body);
    });
  }

  const putFile = (s: Session, lockId: string, body: Buffer, contentType?: string, chunked = false) =>
    send(s, {
      method: 'POST',
      path: '/contents',
      headers: {
        'x-wopi-override': 'PUT',
        'x-wopi-lock': lockId,
        ...(contentType ? { 'content-type': contentType } : {}),
      },
      body,
      chunked,
    });
  const lockOp = (s: Session, override: string, lockId: string, extra: Record<string, string> = {}) =>
    send(s, { method: 'POST', headers: { 'x-wopi-override': override, 'x-wopi-lock': lockId, ...extra } });
  const getFile = (s: Session) => send(s, { path: '/contents' });
  const checkFileInfo = async (s: Session) => JSON.parse((await send(s, {})).body.toString('utf8'));

  async function open(t: TestTenant, name: string, userId: string, action: 'view' | 'edit' = 'edit') {
    return openEditorSession(app, t, { fileRef: await core.refOf(name), userId, action });
  }

  async function versionCount(fileId: string): Promise<number> {
    return prisma.fileVersion.count({ where: { fileId } });
  }

  async function stagedFiles(): Promise<string[]> {
    const listing = async (dir: string): Promise<string[]> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      const nested = await Promise.all(
        entries.map((e) => (e.isDirectory() ? listing(path.join(dir, e.name)) : [path.join(dir, e.name)])),
      );
      return nested.flat();
    };
    return listing(stagingDir);
  }

  beforeAll(async () => {
    core = await startDemoCore();
    prisma = testPrisma();
    tenant = await createTestTenant(prisma, core);
    app = await createApp(testApiEnv());
    await app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = await app.getUrl();
    baseUrl = baseUrl.replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app.close();
    await core.close();
    await prisma.$disconnect();
  });

  it('stores exactly the bytes PutFile sent, whatever the Content-Type, sized or chunked', async () => {
    const s = await open(tenant, 'Welcome.docx', 'alice');
    expect((await lockOp(s, 'LOCK', 'matrix')).status).toBe(200);
    for (const [index, contentType] of CONTENT_TYPES.entries()) {
      for (const [bodyIndex, body] of bodiesFor(index).entries()) {
        const chunked = bodyIndex % 2 === 1;
        const label = `${contentType ?? '(none)'} ${chunked ? 'chunked' : 'sized'} #${bodyIndex}`;
        const saved = await putFile(s, 'matrix', body, contentType, chunked);
        expect({ label, status: saved.status }).toEqual({ label, status: 200 });
        const read = await getFile(s);
        expect({ label, sha: sha256(read.body), size: read.body.length }).toEqual({
          label,
          sha: sha256(body),
          size: body.length,
        });
        const info = await checkFileInfo(s);
        expect({ label, size: info.Size, sha: info.SHA256 }).toEqual({
          label,
          size: body.length,
          sha: createHash('sha256').update(body).digest('base64'),
        });
      }
    }
  });

  it('stores exactly the bytes PutRelativeFile sent, whatever the Content-Type', async () => {
    const s = await open(tenant, 'Budget.xlsx', 'alice');
    for (const [index, contentType] of CONTENT_TYPES.entries()) {
      const body = bodiesFor(index)[index % 3];
      const created = await send(s, {
        method: 'POST',
        headers: {
          'x-wopi-override': 'PUT_RELATIVE',
          'x-wopi-suggestedtarget': `.copy-${index}.xlsx`,
          'x-wopi-size': String(body.length),
          ...(contentType ? { 'content-type': contentType } : {}),
        },
        body,
        chunked: index % 2 === 1,
      });
      expect({ contentType, status: created.status }).toEqual({ contentType, status: 200 });
      const { Url } = JSON.parse(created.body.toString('utf8')) as { Url: string };
      const newFile = new URL(Url);
      const copy: Session = {
        fileId: newFile.pathname.split('/').pop()!,
        accessToken: newFile.searchParams.get('access_token')!,
      };
      const read = await getFile(copy);
      expect({ contentType, sha: sha256(read.body) }).toEqual({ contentType, sha: sha256(body) });
    }
  });

  it('stores exactly the string PutUserInfo sent, whatever the Content-Type', async () => {
    const s = await open(tenant, 'Roadmap.pptx', 'bob');
    for (const contentType of CONTENT_TYPES) {
      const info = JSON.stringify({ theme: 'dark', sentAs: contentType ?? null, text: 'ünïcödé & a=b' });
      const saved = await send(s, {
        method: 'POST',
        headers: { 'x-wopi-override': 'PUT_USER_INFO', ...(contentType ? { 'content-type': contentType } : {}) },
        body: Buffer.from(info, 'utf8'),
      });
      expect({ contentType, status: saved.status }).toEqual({ contentType, status: 200 });
      expect((await checkFileInfo(s)).UserInfo).toBe(info);
    }
  });

  it('records nothing and keeps no blob when an upload is cut off mid-body, sized or chunked', async () => {
    const s = await open(tenant, 'Meeting notes.odt', 'alice');
    expect((await lockOp(s, 'LOCK', 'cut-off')).status).toBe(200);
    const versionsBefore = await versionCount(s.fileId);
    const stagedBefore = new Set(await stagedFiles());
    const url = new URL(baseUrl);
    const requestPath = `/wopi/files/${s.fileId}/contents?access_token=${encodeURIComponent(s.accessToken)}`;
    for (const chunked of [false, true]) {
      await new Promise<void>((resolve, reject) => {
        const socket = connect(Number(url.port), url.hostname, () => {
          const lengthHeader = chunked ? 'Transfer-Encoding: chunked' : 'Content-Length: 1048576';
          socket.write(
            `POST ${requestPath} HTTP/1.1\r\nHost: ${url.host}\r\nX-WOPI-Override: PUT\r\nX-WOPI-Lock: cut-off\r\n` +
              `Content-Type: application/octet-stream\r\n${lengthHeader}\r\n\r\n`,
          );
          const part = randomBytes(200_000);
          socket.write(
            chunked ? Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')]) : part,
          );
          // Give the api time to start staging, then vanish without finishing the body.
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 300);
        });
        socket.on('error', reject);
      });
    }
    // The api notices the closed connection and cleans up; nothing may be recorded or left.
    await waitFor(async () => {
      const now = (await stagedFiles()).filter((file) => !stagedBefore.has(file));
      return now.length === 0;
    }, 'the cut-off uploads to leave staging');
    expect(await versionCount(s.fileId)).toBe(versionsBefore);
    expect((await getFile(s)).status).toBe(200);
  });

  it('refuses a save whose lock was released and taken again while its body streamed: 409, nothing recorded', async () => {
    const editor = await open(tenant, 'Welcome.docx', 'alice');
    const other = await open(tenant, 'Welcome.docx', 'bob');
    await lockOp(editor, 'UNLOCK', 'matrix');
    for (const newLock of ['someone-else', 'fenced']) {
      expect((await lockOp(editor, 'LOCK', 'fenced')).status).toBe(200);
      const before = await getFile(editor);
      const versionsBefore = await versionCount(editor.fileId);
      const url = new URL(`/wopi/files/${editor.fileId}/contents`, baseUrl);
      url.searchParams.set('access_token', editor.accessToken);
      const lockChanges: number[] = [];
      const answer = new Promise<Answer>((resolve, reject) => {
        const req = httpRequest(
          url,
          { method: 'POST', headers: { 'x-wopi-override': 'PUT', 'x-wopi-lock': 'fenced', 'content-length': '20000' } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
            );
          },
        );
        req.on('error', reject);
        req.write(randomBytes(10_000));
        // While the body is half sent: the lock goes, and a lock is taken again (another ID, or
        // the same ID: a new acquisition all the same).
        setTimeout(() => {
          void (async () => {
            lockChanges.push((await lockOp(editor, 'UNLOCK', 'fenced')).status);
            lockChanges.push((await lockOp(other, 'LOCK', newLock)).status);
            req.end(randomBytes(10_000));
          })().catch(reject);
        }, 200);
      });
      const saved = await answer;
      expect(lockChanges).toEqual([200, 200]);
      expect({ newLock, status: saved.status, lock: saved.headers['x-wopi-lock'] }).toEqual({
        newLock,
        status: 409,
        lock: newLock,
      });
      expect(await versionCount(editor.fileId)).toBe(versionsBefore);
      expect(sha256((await getFile(editor)).body)).toBe(sha256(before.body));
      expect((await lockOp(other, 'UNLOCK', newLock)).status).toBe(200);
    }
  });

  it('answers a save while the core app does not answer at all, and the save reaches it afterwards', async () => {
    const slowTenant = await createTestTenant(prisma, core, { coreAppTimeoutMs: 20_000 });
    const ref = await core.refOf('Budget.xlsx');
    const s = await openEditorSession(app, slowTenant, { fileRef: ref, userId: 'alice', action: 'edit' });
    expect((await lockOp(s, 'LOCK', 'no-core-app')).status).toBe(200);
    // Workers of other test files share this database and would push the save at once; holding
    // the file's write-back lease keeps them off, so every core-app call seen below is the api's.
    await prisma.file.update({
      where: { id: s.fileId },
      data: { writeBackLeaseOwner: 'save-integrity-test', writeBackLeaseUntil: new Date(Date.now() + 60_000) },
    });
    const { count: seqBefore } = (await (await core.signedFetch('GET', '/_control/requests')).json()) as {
      count: number;
    };
    // Every contract request now hangs: a save that asked the core app would wait 20 s per try.
    await core.signedFetch('PUT', '/_control/fault', { mode: 'hang' });
    const body = randomBytes(50_000);
    try {
      const saved = await putFile(s, 'no-core-app', body, 'application/octet-stream');
      expect(saved.status).toBe(200);
      expect(sha256((await getFile(s)).body)).toBe(sha256(body));
    } finally {
      await core.signedFetch('PUT', '/_control/fault', { mode: 'none' });
    }
    const log = (await (await core.signedFetch('GET', `/_control/requests?since=${seqBefore}`)).json()) as {
      requests: { path: string; method: string }[];
    };
    expect(log.requests.map((r) => `${r.method} ${r.path}`)).toEqual([]);

    // Released: a worker writes the save to the core app.
    await prisma.file.update({
      where: { id: s.fileId },
      data: { writeBackLeaseOwner: null, writeBackLeaseUntil: null },
    });
    const worker = await createWorker(testWorkerEnv({ WRITE_BACK_RELAY_INTERVAL_MS: '500' }));
    await worker.init();
    try {
      await waitFor(
        async () => {
          const inCore = await core.signedFetch('GET', `/core/v1/files/${ref}/content?userId=alice`);
          return inCore.ok && sha256(Buffer.from(await inCore.arrayBuffer())) === sha256(body);
        },
        'the save to reach the core app',
        30_000,
      );
    } finally {
      await worker.close();
    }
  }, 60_000);

  it('keeps parsing JSON on the JSON APIs, and refuses other bodies there with 415', async () => {
    const post = (contentType: string, body: string) =>
      fetch(new URL('/api/v1/sessions', baseUrl), {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.sessionApiKey}`, 'content-type': contentType },
        body,
      });
    const asJson = await post(
      'application/json',
      JSON.stringify({ fileRef: await core.refOf('Welcome.docx'), userId: 'bob' }),
    );
    expect(asJson.status).toBe(201);
    expect((await post('text/plain', '{"fileRef":"x","userId":"bob"}')).status).toBe(415);
    expect((await post('application/x-www-form-urlencoded', 'fileRef=x&userId=bob')).status).toBe(415);
    expect((await post('application/json', '{"fileRef":')).status).toBe(400);
  });
});
