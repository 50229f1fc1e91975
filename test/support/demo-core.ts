import { signRequest } from '@wopi/core-app-client';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDemoCore } from '../../apps/demo-core/src/create-demo-core';

export interface RunningDemoCore {
  /** Base URL of its contract API, as a tenant's coreAppBaseUrl. */
  baseUrl: string;
  /** The shared secret requests are signed with, as a tenant's core-app credential. */
  credential: string;
  /** Looks a seeded sample up by name and returns its core ref. */
  refOf(name: string): Promise<string>;
  /**
   * A signed request to demo-core, path from the server root: `/core/v1/...`, or the test
   * switches under `/_control` (enabled here): PUT /_control/fault, POST
   * /_control/files/:ref/external-edit, GET /_control/requests. See apps/demo-core/README.md.
   * `headers` are sent as they are, beside the signature (e.g. a write's Idempotency-Key).
   */
  signedFetch(
    method: string,
    pathWithQuery: string,
    body?: Buffer | object,
    headers?: Record<string, string>,
  ): Promise<Response>;
  close(): Promise<void>;
}

let lastTimestampMs = 0;

/** Now, never twice the same: identical requests in one millisecond would share a signature (a replay). */
function nextTimestampMs(): number {
  lastTimestampMs = Math.max(Date.now(), lastTimestampMs + 1);
  return lastTimestampMs;
}

/** The real demo core app, listening on a free loopback port with its own data directory. */
export async function startDemoCore(): Promise<RunningDemoCore> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'demo-core-'));
  const credential = `test-secret-${Math.random().toString(36).slice(2)}-padding`;
  const app = await createDemoCore({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    apiSecret: credential,
    faultsEnabled: true,
    maxUploadBytes: 1 << 30,
    logLevel: 'silent',
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const baseUrl = `${address}/core/v1`;

  const signedFetch = (
    method: string,
    pathWithQuery: string,
    body?: Buffer | object,
    extraHeaders: Record<string, string> = {},
  ): Promise<Response> => {
    const bytes = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = {
      ...extraHeaders,
      ...signRequest(credential, {
        method,
        pathWithQuery,
        contentSha256: createHash('sha256')
          .update(bytes ?? Buffer.alloc(0))
          .digest('hex'),
        timestampMs: nextTimestampMs(),
      }),
    };
    if (bytes !== undefined) {
      headers['content-type'] = Buffer.isBuffer(body) ? 'application/octet-stream' : 'application/json';
    }
    return fetch(`${address}${pathWithQuery}`, { method, headers, body: bytes });
  };

  return {
    baseUrl,
    credential,
    signedFetch,
    async refOf(name) {
      const response = await signedFetch('GET', '/core/v1/files');
      if (!response.ok) throw new Error(`demo-core answered ${response.status} listing its files`);
      const { files } = (await response.json()) as { files: { ref: string; name: string }[] };
      const file = files.find((f) => f.name === name);
      if (!file) throw new Error(`demo-core has no sample named ${name}`);
      return file.ref;
    },
    async close() {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
