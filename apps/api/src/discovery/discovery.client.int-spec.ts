import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DiscoveryClient } from './discovery.client';

const DISCOVERY = '<wopi-discovery><net-zone name="external-http"></net-zone></wopi-discovery>';

/** A loopback server: /redirect?to=URL answers 302 to URL, anything else the discovery XML. */
async function startServer(): Promise<{ server: Server; url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((request, response) => {
    hits += 1;
    const to = new URL(request.url!, 'http://x').searchParams.get('to');
    if (to) response.writeHead(302, { location: to }).end();
    else response.writeHead(200, { 'content-type': 'text/xml' }).end(DISCOVERY);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
}

// SSRF through discovery: a profile's discovery URL, or where it redirects, must not reach a
// link-local or metadata address, nor loopback or private addresses without the development switch.
describe('DiscoveryClient egress policy', () => {
  let origin: Awaited<ReturnType<typeof startServer>>;
  let elsewhere: Awaited<ReturnType<typeof startServer>>;

  const client = (allowPrivateNetworks: boolean) =>
    new DiscoveryClient({
      refreshIntervalMs: 60_000,
      minRefreshIntervalMs: 1_000,
      fetchTimeoutMs: 5_000,
      egress: { allowPrivateNetworks },
    });
  const redirectTo = (to: string) => `${origin.url}/redirect?to=${encodeURIComponent(to)}`;

  beforeAll(async () => {
    origin = await startServer();
    elsewhere = await startServer();
  });

  afterAll(async () => {
    for (const { server } of [origin, elsewhere]) await new Promise((resolve) => server.close(resolve));
  });

  it('follows a redirect to a host the policy allows', async () => {
    const port = new URL(elsewhere.url).port;
    await expect(client(true).fetch(redirectTo(`http://localhost:${port}/hosting/discovery`))).resolves.toBe(DISCOVERY);
    expect(elsewhere.hits()).toBe(1);
  });

  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://[fd00:ec2::254]/latest/meta-data/',
    'http://100.100.100.200/latest/meta-data/',
  ])('does not follow a redirect to %s', async (to) => {
    const started = Date.now();
    await expect(client(true).fetch(redirectTo(to))).rejects.toThrow(
      / refused: refused to call .*: .* is a (link-local, metadata or non-unicast address|cloud metadata service)$/,
    );
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('refuses loopback discovery URLs, and redirects to them, without the development switch', async () => {
    const before = origin.hits();
    await expect(client(false).fetch(`${origin.url}/hosting/discovery`)).rejects.toThrow(/loopback or private/);
    await expect(client(false).fetch(`http://localhost:${new URL(origin.url).port}/hosting/discovery`)).rejects.toThrow(
      /refused to call localhost: .* is a loopback or private address/,
    );
    expect(origin.hits()).toBe(before);
  });
});
