import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { startDemoCore, type RunningDemoCore } from '../../../test/support/demo-core';
import { waitFor } from '../../../test/support/wait-for';
import { CoreAppClient, CoreAppError, CoreAppErrorKind, DEFAULT_CORE_APP_CLIENT_OPTIONS } from '../src';

const CONTENT = Buffer.from('new content of the document');
const LARGE_BYTES = 64 * 1024 * 1024;

/** `total` bytes produced only as they are read, like a file stream. */
function lazyBytes(total: number): Readable {
  let produced = 0;
  return new Readable({
    read() {
      const size = Math.min(64 * 1024, total - produced);
      produced += size;
      this.push(size > 0 ? Buffer.alloc(size, 0x61) : null);
    },
  });
}

/** Resolves 'closed' once demo-core has shut down, or 'still open' after `ms`. */
function closedWithin(core: RunningDemoCore, ms: number): Promise<'closed' | 'still open'> {
  return Promise.race([
    core.close().then(() => 'closed' as const),
    new Promise<'still open'>((resolve) => setTimeout(() => resolve('still open'), ms).unref()),
  ]);
}

/**
 * Upload bodies are staged blobs opened per attempt: whatever the core app answers, every body
 * the client opened must be released, or each failed save keeps a file descriptor open.
 */
describe('CoreAppClient upload bodies', () => {
  let client: CoreAppClient;
  let opened: Readable[];

  function tracked(makeStream: () => Readable, sizeBytes: number) {
    return {
      open: () => {
        const stream = makeStream();
        opened.push(stream);
        return stream;
      },
      sizeBytes,
      sha256: createHash('sha256').update(CONTENT).digest('hex'),
    };
  }

  const small = tracked(() => Readable.from([CONTENT]), CONTENT.length);
  // Far more than socket buffers take in: unless the client releases it, most of it is never read.
  const large = tracked(() => lazyBytes(LARGE_BYTES), LARGE_BYTES);

  beforeAll(() => {
    client = new CoreAppClient({
      ...DEFAULT_CORE_APP_CLIENT_OPTIONS,
      // The stub core app listens on loopback.
      egress: { allowPrivateNetworks: true },
      retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
    });
  });

  afterAll(() => client.onApplicationShutdown());

  beforeEach(() => {
    opened = [];
  });

  const target = (baseUrl: string, credential: string) => ({
    tenantId: `upload-${baseUrl}`,
    baseUrl,
    credential,
    timeoutMs: 2_000,
    permissionCacheTtlMs: 0,
  });

  it('ends an upload the core app refused with 412 before reading it: body released, connection closed', async () => {
    const core = await startDemoCore();
    const upload = client.putContent(target(core.baseUrl, core.credential), await core.refOf('Welcome.docx'), 'alice', {
      body: large,
      idempotencyKey: `key-${Date.now()}`,
      ifMatch: 'not-the-current-version',
    });
    await expect(upload).rejects.toMatchObject({ kind: CoreAppErrorKind.VersionMismatch });
    expect(opened).toHaveLength(1);
    expect(opened.every((stream) => stream.destroyed)).toBe(true);
    // A half-sent request would keep its connection, and so demo-core's shutdown, waiting for good.
    expect(await closedWithin(core, 5_000)).toBe('closed');
  });

  it('ends the request of an upload a plain Node.js core app refused unread, closing its connection', async () => {
    // Not every core app drops such a request itself (demo-core's Fastify does): a bare Node.js
    // server keeps the connection, waiting for the rest of the body, until its own timeout.
    const server = createServer((_request, response) => {
      response.writeHead(412, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'version_mismatch', message: 'changed' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const upload = client.putContent(target(`http://127.0.0.1:${port}/core/v1`, 'any-secret'), 'ref', 'alice', {
        body: large,
        idempotencyKey: `key-${Date.now()}`,
        ifMatch: 'v1',
      });
      await expect(upload).rejects.toMatchObject({ kind: CoreAppErrorKind.VersionMismatch });
      expect(opened.every((stream) => stream.destroyed)).toBe(true);
      const connections = () => new Promise<number>((resolve) => server.getConnections((_error, n) => resolve(n)));
      await waitFor(async () => (await connections()) === 0, 'the refused upload to close its connection', 5_000);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('releases the body of every attempt when the core app cannot be reached', async () => {
    // Port 9 (discard) on loopback: nothing listens there, the connection is refused.
    const upload = client.putContent(target('http://127.0.0.1:9/core/v1', 'any-secret'), 'any-ref', 'alice', {
      body: large,
      idempotencyKey: `key-${Date.now()}`,
    });
    await expect(upload).rejects.toBeInstanceOf(CoreAppError);
    expect(opened.length).toBeGreaterThanOrEqual(2);
    expect(opened.every((stream) => stream.destroyed)).toBe(true);
  });

  it('still delivers a body the core app accepts', async () => {
    const core = await startDemoCore();
    try {
      const ref = await core.refOf('Meeting notes.odt');
      const saved = await client.putContent(target(core.baseUrl, core.credential), ref, 'alice', {
        body: small,
        idempotencyKey: `key-${Date.now()}`,
      });
      expect(saved.size).toBe(CONTENT.length);
      const content = await core.signedFetch('GET', `/core/v1/files/${ref}/content?userId=alice`);
      expect(Buffer.from(await content.arrayBuffer())).toEqual(CONTENT);
    } finally {
      await core.close();
    }
  });
});
