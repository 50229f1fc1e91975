import type { lookup as dnsLookup, LookupAddress } from 'node:dns';
import {
  assertEgressAllowed,
  EgressRefusedError,
  egressLookup,
  egressRefusalOfAddress,
  egressRefusalOfUrl,
} from './egress-policy';

const production = { allowPrivateNetworks: false };
const development = { allowPrivateNetworks: true };

describe('egress policy', () => {
  it.each([
    '169.254.169.254', // AWS, GCP, Azure, OCI metadata
    '169.254.0.1',
    '100.100.100.200', // Alibaba metadata
    'fd00:ec2::254', // AWS metadata over IPv6
    'fe80::1',
    'FE80::abcd:1',
    '::ffff:169.254.169.254', // IPv4-mapped
    '::ffff:a9fe:a9fe', // the same, in hex
    '64:ff9b::169.254.169.254', // NAT64
    '0.0.0.0',
    '::',
    '224.0.0.1',
    '255.255.255.255',
    'ff02::1',
  ])('always refuses %s, even with the development switch on', (address) => {
    expect(egressRefusalOfAddress(address, development)).toMatch(/link-local, metadata or non-unicast/);
    expect(egressRefusalOfAddress(address, production)).toMatch(/link-local, metadata or non-unicast/);
  });

  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '10.0.0.5',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '100.64.0.1',
    '::1',
    'fd12::1',
    '::ffff:127.0.0.1',
  ])('refuses loopback and private %s unless the development switch is on', (address) => {
    expect(egressRefusalOfAddress(address, production)).toMatch(/loopback or private/);
    expect(egressRefusalOfAddress(address, development)).toBeNull();
  });

  it.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])(
    'allows public %s',
    (address) => {
      expect(egressRefusalOfAddress(address, production)).toBeNull();
    },
  );

  it.each([
    ['http://169.254.169.254/latest/meta-data/', /link-local/],
    ['http://[fd00:ec2::254]/latest/meta-data/', /link-local/],
    ['http://[::ffff:169.254.169.254]/', /link-local/],
    ['http://metadata.google.internal/computeMetadata/v1/', /cloud metadata service/],
    ['http://METADATA.GOOGLE.INTERNAL./computeMetadata/v1/', /cloud metadata service/],
    ['http://100.100.100.200/latest/meta-data/', /link-local/],
    ['http://user:pass@core.example/', /credentials in the URL/],
    ['file:///etc/passwd', /not http or https/],
    ['gopher://core.example/', /not http or https/],
    ['http://127.0.0.1:3100/core/v1', /loopback or private/],
    ['not a url', /not a URL/],
  ])('refuses the URL %s before any DNS lookup', (url, reason) => {
    expect(egressRefusalOfUrl(url, url.includes('127.0.0.1') ? production : development)).toMatch(reason);
  });

  it('leaves host names to the DNS check', () => {
    expect(egressRefusalOfUrl('https://core.example/core/v1', production)).toBeNull();
  });

  it('refuses a host name whose address is refused, checking what DNS answers at connect time', async () => {
    // A rebinding name: harmless when first looked at, the metadata service when connected to.
    const answers = ['93.184.215.14', '169.254.169.254'];
    const resolver = ((_host: string, _options: object, callback: (e: null, a: LookupAddress[]) => void) =>
      callback(null, [{ address: answers.shift()!, family: 4 }])) as unknown as typeof dnsLookup;
    const lookup = egressLookup(development, resolver);
    const resolve = () =>
      new Promise<string>((ok, fail) =>
        lookup('rebind.example', {}, (error, address) => (error ? fail(error) : ok(address as string))),
      );
    await expect(resolve()).resolves.toBe('93.184.215.14');
    await expect(resolve()).rejects.toThrow(
      new EgressRefusedError('rebind.example', '169.254.169.254 is a link-local, metadata or non-unicast address'),
    );
  });

  it('resolves names for real: localhost is loopback', async () => {
    await expect(assertEgressAllowed('http://localhost:3100/core/v1', production)).rejects.toThrow(
      /loopback or private/,
    );
    await expect(assertEgressAllowed('http://localhost:3100/core/v1', development)).resolves.toBeUndefined();
    await expect(assertEgressAllowed('http://169.254.169.254/', development)).rejects.toThrow(EgressRefusedError);
  });
});
