import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CoreAppClient,
  CoreAppError,
  CoreAppErrorKind,
  DEFAULT_CORE_APP_CLIENT_OPTIONS,
  type CoreAppTarget,
} from '../src';

/**
 * SSRF: a tenant's core-app URL is chosen by whoever configures the tenant. Whatever it says, the
 * client must never connect to a link-local or metadata address, nor to loopback or private
 * addresses unless the development switch allows them; the address checked is the one connected to.
 */
describe('CoreAppClient egress policy', () => {
  let stub: Server;
  let port: number;
  let requests: number;

  beforeAll(async () => {
    stub = createServer((_request, response) => {
      requests += 1;
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"NOT_FOUND"}}');
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    port = (stub.address() as AddressInfo).port;
  });

  afterAll(() => new Promise((resolve) => stub.close(resolve)));

  beforeEach(() => {
    requests = 0;
  });

  const target = (baseUrl: string): CoreAppTarget => ({
    tenantId: `t-${Math.random().toString(36).slice(2)}`,
    baseUrl,
    credential: 'egress-test-credential',
    timeoutMs: 5_000,
    permissionCacheTtlMs: 0,
  });

  async function outcome(allowPrivateNetworks: boolean, baseUrl: string): Promise<string> {
    const client = new CoreAppClient({
      ...DEFAULT_CORE_APP_CLIENT_OPTIONS,
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      egress: { allowPrivateNetworks },
    });
    try {
      await client.getFile(target(baseUrl), 'doc-1', 'alice');
      return 'answered';
    } catch (error) {
      if (!(error instanceof CoreAppError)) throw error;
      return error.kind === CoreAppErrorKind.NotFound ? 'reached the core app' : error.message;
    } finally {
      client.onApplicationShutdown();
    }
  }

  it.each([
    'http://169.254.169.254/core/v1',
    'http://[fd00:ec2::254]/core/v1',
    'http://100.100.100.200/core/v1',
    'http://metadata.google.internal/core/v1',
    'http://[fe80::1]/core/v1',
  ])('never calls %s, even with the development switch on', async (baseUrl) => {
    const started = Date.now();
    expect(await outcome(true, baseUrl)).toMatch(/^core app URL refused: refused to call/);
    // Refused before connecting: no connection attempt to wait out.
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('calls a loopback core app only with the development switch on, by address or by name', async () => {
    expect(await outcome(false, `http://127.0.0.1:${port}/core/v1`)).toMatch(/loopback or private address/);
    // A host name is resolved and its address checked: localhost is loopback.
    expect(await outcome(false, `http://localhost:${port}/core/v1`)).toMatch(
      /^core app URL refused: refused to call localhost: .* is a loopback or private address/,
    );
    expect(requests).toBe(0);

    expect(await outcome(true, `http://localhost:${port}/core/v1`)).toBe('reached the core app');
    expect(await outcome(true, `http://127.0.0.1:${port}/core/v1`)).toBe('reached the core app');
    expect(requests).toBe(2);
  });
});
