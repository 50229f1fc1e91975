import type { PrismaClient } from '@wopi/db';
import type { SessionResponse } from '../src/session/create-session.dto';
import { type ApiProcess, startApiProcess } from '../../../test/support/api-process';
import { startDemoCore, type RunningDemoCore } from '../../../test/support/demo-core';
import { createTestTenant, testPrisma } from '../../../test/support/test-tenant';
import { waitFor } from '../../../test/support/wait-for';

// Far beyond the test's waits, far below Fastify's 72 s keep-alive timeout: exiting 1 after it
// means the process waited for a connection instead of closing it.
const SHUTDOWN_GRACE_MS = 20_000;
const CORE_DELAY_MS = 1_500;

/**
 * SIGTERM during a GetFile: the api stops taking work, still serves the request in flight
 * completely (its core-app call included), and then exits 0 at once, although the WOPI client
 * keeps its keep-alive connection open.
 */
describe('api graceful shutdown', () => {
  let core: RunningDemoCore;
  let prisma: PrismaClient;
  let api: ApiProcess;

  beforeAll(async () => {
    core = await startDemoCore();
    prisma = testPrisma();
    api = await startApiProcess({ SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS) });
  });

  afterAll(async () => {
    if (api.process.exitCode === null && api.process.signalCode === null) api.process.kill('SIGKILL');
    await core.close();
    await prisma.$disconnect();
  });

  const receivedByCore = async () =>
    (await (await core.signedFetch('GET', '/_control/requests')).json()) as {
      requests: { method: string; path: string; status: number | null }[];
    };

  it('finishes the GetFile in flight, then exits 0 without waiting for the idle connection', async () => {
    const tenant = await createTestTenant(prisma, core);
    const ref = await core.refOf('Welcome.docx');
    const expected = Buffer.from(
      await (await core.signedFetch('GET', `/core/v1/files/${ref}/content?userId=alice`)).arrayBuffer(),
    );
    const created = await fetch(`${api.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.sessionApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fileRef: ref, userId: 'alice' }),
    });
    expect(created.status).toBe(201);
    const session = (await created.json()) as SessionResponse;

    const contentPath = `/core/v1/files/${ref}/content`;
    await core.signedFetch('PUT', '/_control/fault', {
      mode: 'slow',
      delayMs: CORE_DELAY_MS,
      paths: `^${contentPath}$`,
      methods: ['GET'],
      remaining: 1,
    });
    const exited = new Promise<number | null>((resolve) => api.process.once('exit', (code) => resolve(code)));
    // fetch keeps the connection alive after the answer, as WOPI clients do.
    const getFile = fetch(`${api.url}/wopi/files/${session.fileId}/contents?access_token=${session.accessToken}`);
    await waitFor(
      async () => (await receivedByCore()).requests.some((r) => r.path === contentPath && r.status === null),
      'the GetFile to reach the core app',
    );
    api.process.kill('SIGTERM');

    const response = await getFile;
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(expected);
    // 0, not a signal: the shutdown handler ran; and in time, or it would have exited 1.
    expect(await exited).toBe(0);
  }, 60_000);
});
