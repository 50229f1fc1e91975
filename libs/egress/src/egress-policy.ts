import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/** Which targets the gateway may call (core apps, WOPI discovery). */
export interface EgressPolicy {
  /**
   * Loopback and private addresses (127/8, 10/8, 172.16/12, 192.168/16, 100.64/10, ::1, fc00::/7).
   * Off in production: a tenant's URL must not reach the gateway's own network. The demo and the
   * tests turn it on, since everything they run is on loopback (EGRESS_ALLOW_PRIVATE_NETWORKS).
   */
  allowPrivateNetworks: boolean;
}

/** A call the egress policy refuses; `reason` names the address class, never a credential. */
export class EgressRefusedError extends Error {
  readonly code = 'EGRESS_REFUSED';
  constructor(
    readonly target: string,
    readonly reason: string,
  ) {
    super(`refused to call ${target}: ${reason}`);
    this.name = 'EgressRefusedError';
  }
}

// Never reachable, whatever the switch: link-local (where every cloud keeps its instance metadata
// service, which hands out credentials), the providers' other metadata addresses, and addresses
// that are no single host.
const ALWAYS_REFUSED = new BlockList();
ALWAYS_REFUSED.addSubnet('0.0.0.0', 8, 'ipv4'); // "this network"; 0.0.0.0 connects to the local host
ALWAYS_REFUSED.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local: 169.254.169.254 (AWS, GCP, Azure, OCI)
ALWAYS_REFUSED.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud metadata
ALWAYS_REFUSED.addSubnet('224.0.0.0', 4, 'ipv4'); // multicast
ALWAYS_REFUSED.addSubnet('240.0.0.0', 4, 'ipv4'); // reserved, broadcast
ALWAYS_REFUSED.addAddress('::', 'ipv6'); // unspecified
ALWAYS_REFUSED.addSubnet('fe80::', 10, 'ipv6'); // link-local
ALWAYS_REFUSED.addAddress('fd00:ec2::254', 'ipv6'); // AWS metadata over IPv6
ALWAYS_REFUSED.addSubnet('ff00::', 8, 'ipv6'); // multicast

// Reachable only with allowPrivateNetworks.
const PRIVATE = new BlockList();
PRIVATE.addSubnet('127.0.0.0', 8, 'ipv4'); // loopback
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4'); // carrier-grade NAT, often a cluster's pod network
PRIVATE.addSubnet('198.18.0.0', 15, 'ipv4'); // benchmarking
PRIVATE.addAddress('::1', 'ipv6'); // loopback
PRIVATE.addSubnet('fc00::', 7, 'ipv6'); // unique local

// Names of metadata services that resolve only inside a cloud (so a DNS check could not see them
// as link-local from a developer's machine, and a resolver there may answer anything).
const METADATA_HOSTNAMES = new Set([
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.internal',
]);

/** The IPv4 address an IPv6 one carries (IPv4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96), if any. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return undefined;
  const [high, low] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/**
 * Why the policy refuses to connect to this IP address, or null when it may. The one place that
 * decides; everything else (URL checks, the DNS hook of the HTTP clients) asks it.
 */
export function egressRefusalOfAddress(address: string, policy: EgressPolicy): string | null {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  const ipv4 = family === 4 ? address : embeddedIpv4(address);
  const [checked, type] = ipv4 ? [ipv4, 'ipv4' as const] : [address, 'ipv6' as const];
  if (ALWAYS_REFUSED.check(checked, type)) return `${address} is a link-local, metadata or non-unicast address`;
  if (!policy.allowPrivateNetworks && PRIVATE.check(checked, type))
    return `${address} is a loopback or private address (EGRESS_ALLOW_PRIVATE_NETWORKS is off)`;
  return null;
}

/**
 * Why the policy refuses a URL before any DNS lookup (scheme, credentials in the URL, a metadata
 * host name, an IP-literal host), or null when only the resolved addresses remain to be checked.
 */
export function egressRefusalOfUrl(url: string, policy: EgressPolicy): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `${parsed.protocol} is not http or https`;
  if (parsed.username || parsed.password) return 'credentials in the URL';
  const host = parsed.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (METADATA_HOSTNAMES.has(host)) return `${host} is a cloud metadata service`;
  return isIP(host) ? egressRefusalOfAddress(host, policy) : null;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for HTTP agents and axios: resolves like the system resolver, then refuses unless
 * every resolved address is allowed. It runs at connect time, for every connection and every
 * redirect hop, so the address checked is the address connected to (no DNS-rebinding gap).
 */
export function egressLookup(policy: EgressPolicy, resolve: typeof dnsLookup = dnsLookup) {
  return (hostname: string, options: object, callback: LookupCallback): void => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      for (const { address } of addresses) {
        const refusal = egressRefusalOfAddress(address, policy);
        if (refusal) return callback(new EgressRefusedError(hostname, refusal), []);
      }
      const all = (options as { all?: boolean }).all === true;
      if (all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/**
 * Checks a URL as a call would: the URL itself, then every address its host resolves to now.
 * For validating a URL when it is configured (admin API); calls are checked again when made.
 */
export async function assertEgressAllowed(url: string, policy: EgressPolicy): Promise<void> {
  const refusal = egressRefusalOfUrl(url, policy);
  if (refusal) throw new EgressRefusedError(url, refusal);
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return;
  await new Promise<void>((resolve, reject) =>
    egressLookup(policy)(host, { all: true }, (error) => (error ? reject(error) : resolve())),
  );
}

/** The EgressRefusedError behind an HTTP client's error (axios and follow-redirects wrap it), if any. */
export function egressRefusalIn(error: unknown): EgressRefusedError | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    if (current instanceof EgressRefusedError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
