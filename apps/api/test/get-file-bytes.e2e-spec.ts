/**
 * GetFile serves exactly the core app's bytes, or visibly fails: checked over a real socket as a
 * WOPI client reads it (app.inject() would hide how a response ends), against the real demo core
 * app told to answer gzip-encoded, with a wrong Content-Length, or cut off half-way.
 */
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { PrismaClient } from '@wopi/db';
import { createApp } from '../src/create-app';
import { type RunningDemoCore, startDemoCore } from '../../../test/support/demo-core';
import { openEditorSession } from '../../../test/support/editor-session';
import { testApiEnv } from '../../../test/support/gateway-env';
import { createTestTenant, testPrisma } from '../../../test/support/test-tenant';

/** What a WOPI client sees of one GET: the status, the headers, the bytes, and whether the body ended properly. */
interface ClientView {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The whole announced body arrived and the response ended normally. */
  complete: boolean;
}

function clientGet(url: string): Promise<ClientView> {
  return new Promise((resolve, reject) => {
    // A connection of its own: a cut-off response must not be blamed on a shared keep-alive socket.
    const request = get(url, { agent: false, headers: { 'accept-encoding': 'gzip, deflate, br' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      const done = () =>
        resolve({
          status: response.statusCode!,
          headers: response.headers,
          body: Buffer.concat(chunks),
          complete: response.complete,
        });
      response.on('end', done);
      // Node reports a body cut off before its Content-Length as an 'aborted' error on the response.
      response.on('error', done);
    });
    request.on('error', reject);
  });
}

describe('GetFile bytes over a real socket', () => {
  let prisma: PrismaClient;
  let core: RunningDemoCore;
  let app: NestFastifyApplication;
  let gateway: string;
  let sample: Buffer;
  const name = 'Budget.xlsx';

  beforeAll(async () => {
    prisma = testPrisma();
    core = await startDemoCore();
    app = await createApp(testApiEnv());
    await app.listen({ host: '127.0.0.1', port: 0 });
    gateway = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    const plain = await core.signedFetch('GET', `/core/v1/files/${await core.refOf(name)}/content?userId=alice`);
    sample = Buffer.from(await plain.arrayBuffer());
    // Long enough to be cut off half-way (truncateAfterBytes below).
    if (sample.length <= 2000) throw new Error(`${name} is only ${sample.length} bytes`);
  });

  afterEach(async () => {
    await core.signedFetch('PUT', '/_control/fault', { mode: 'none' });
  });

  afterAll(async () => {
    await app?.close();
    await core?.close();
    await prisma?.$disconnect();
  });

  /** GetFile of the sample by a fresh tenant (its own circuit breaker), with `fault` on demo-core's content answers. */
  async function getFileWith(fault: object | undefined): Promise<ClientView> {
    const tenant = await createTestTenant(prisma, core);
    const session = await openEditorSession(app, tenant, { fileRef: await core.refOf(name), userId: 'alice' });
    if (fault) {
      const set = await core.signedFetch('PUT', '/_control/fault', { ...fault, paths: '/content$', methods: ['GET'] });
      expect(set.status).toBe(200);
    }
    return clientGet(`${gateway}/wopi/files/${session.fileId}/contents?access_token=${session.accessToken}`);
  }

  it('serves the stored bytes with a matching Content-Length when the core app behaves', async () => {
    const view = await getFileWith(undefined);
    expect(view).toMatchObject({ status: 200, complete: true });
    expect(view.body.equals(sample)).toBe(true);
    expect(Number(view.headers['content-length'])).toBe(sample.length);
    expect(view.headers['content-encoding']).toBeUndefined();
  });

  it('fails rather than serve a gzip-encoded answer, decoded or not', async () => {
    const view = await getFileWith({ mode: 'gzip' });
    expect(view.status).toBe(500);
    expect(view.headers['x-wopi-servererror']).toBeDefined();
    expect(view.body.equals(sample)).toBe(false);
  });

  it.each([
    ['longer than the body', 7],
    ['shorter than the body', -7],
  ])('fails rather than serve a file whose Content-Length is %s', async (_, lengthDelta) => {
    const view = await getFileWith({ mode: 'wrong-length', lengthDelta });
    expect(view.status).toBe(500);
    expect(view.complete).toBe(true);
    expect(view.body.equals(sample.subarray(0, view.body.length)) && view.body.length > 0).toBe(false);
  });

  it('cuts the connection when the core app stops half-way, so the client never sees a complete short file', async () => {
    const view = await getFileWith({ mode: 'truncate', truncateAfterBytes: 1000 });
    // The answer had started (200 and the real length) when the core app's body broke off.
    expect(view.status).toBe(200);
    expect(Number(view.headers['content-length'])).toBe(sample.length);
    expect(view.complete).toBe(false);
    expect(view.body.length).toBeLessThan(sample.length);
    expect(view.body.equals(sample.subarray(0, view.body.length))).toBe(true);
  });
});
