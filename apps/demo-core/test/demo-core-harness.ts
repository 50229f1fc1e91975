import { signRequest } from '@wopi/core-app-client';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DemoCoreConfig } from '../src/config/demo-core.config';
import { createDemoCore } from '../src/create-demo-core';

export const TEST_SECRET = 'e2e-secret-0123456789';

let lastTimestampMs = 0;

/**
 * Now, never the same value twice: identical requests signed in one millisecond would share a
 * signature, and demo-core refuses the second as a replay (as any core app must).
 */
function nextTimestampMs(): number {
  lastTimestampMs = Math.max(Date.now(), lastTimestampMs + 1);
  return lastTimestampMs;
}

export interface SignedInit {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
  /** Sign with this secret instead of the configured one. */
  readonly secret?: string;
  /** false: send no signature headers. */
  readonly sign?: boolean;
  /** Sign this body digest instead of the body's own. */
  readonly signedSha256?: string;
  readonly signal?: AbortSignal;
}

export interface RunningDemoCore {
  /** http://127.0.0.1:<port>, without a path. */
  readonly baseUrl: string;
  readonly dataDir: string;
  /** fetch against demo-core (path from the root, query included), signed as the gateway signs. */
  request(pathWithQuery: string, init?: SignedInit): Promise<Response>;
  close(): Promise<void>;
}

export async function makeDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'demo-core-e2e-'));
}

export async function removeDataDir(dataDir: string): Promise<void> {
  await rm(dataDir, { recursive: true, force: true });
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A fresh Idempotency-Key. */
export function newKey(): string {
  return `e2e-${randomUUID()}`;
}

/** Starts demo-core exactly as main.ts does, on 127.0.0.1 and a free port, test switches on. */
export async function startDemoCore(
  dataDir: string,
  overrides: Partial<DemoCoreConfig> = {},
): Promise<RunningDemoCore> {
  const config: DemoCoreConfig = {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    apiSecret: TEST_SECRET,
    faultsEnabled: true,
    maxUploadBytes: 64 * 1024 * 1024,
    logLevel: 'silent',
    ...overrides,
  };
  const app = await createDemoCore(config);
  await app.listen({ host: config.host, port: config.port });
  const { port } = app.server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    dataDir,
    request: (target, init = {}) => {
      // Signed as fetch will send it: the URL parser percent-encodes some characters (such as
      // ' in a query) that encodeURIComponent leaves alone.
      const url = new URL(target, baseUrl);
      const pathWithQuery = `${url.pathname}${url.search}`;
      const method = init.method ?? 'GET';
      const headers: Record<string, string> = { ...init.headers };
      if (init.sign !== false) {
        Object.assign(
          headers,
          signRequest(init.secret ?? config.apiSecret, {
            method,
            pathWithQuery,
            contentSha256: init.signedSha256 ?? sha256(init.body ?? ''),
            timestampMs: nextTimestampMs(),
          }),
        );
      }
      return fetch(url, { method, headers, body: init.body, signal: init.signal });
    },
    close: () => app.close(),
  };
}
