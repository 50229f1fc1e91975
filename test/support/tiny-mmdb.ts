/**
 * Writes a minimal MaxMind DB (format 2.0, IPv4, 24-bit records) mapping IPv4 networks to
 * country codes, shaped like GeoLite2-Country records ({country: {iso_code}}), so tests can use a
 * real database file without downloading one. Follows the MaxMind DB format specification: a
 * binary search tree over the address bits, 16 zero bytes, the data section, then the metadata
 * after the "\xAB\xCD\xEFMaxMind.com" marker.
 */
type Value = string | number | bigint | Value[] | { [key: string]: Value };

function control(type: number, size: number): Buffer {
  if (size >= 29) throw new Error('tiny-mmdb writes only small values');
  return type <= 7 ? Buffer.from([(type << 5) | size]) : Buffer.from([size, type - 7]);
}

function encode(value: Value, as?: 'uint16' | 'uint32' | 'uint64'): Buffer {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([control(2, bytes.length), bytes]);
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    const type = { uint16: 5, uint32: 6, uint64: 9 }[as ?? 'uint32'];
    let n = BigInt(value);
    const bytes: number[] = [];
    while (n > 0n) {
      bytes.unshift(Number(n & 0xffn));
      n >>= 8n;
    }
    return Buffer.concat([control(type, bytes.length), Buffer.from(bytes)]);
  }
  if (Array.isArray(value)) return Buffer.concat([control(11, value.length), ...value.map((item) => encode(item))]);
  const entries = Object.entries(value);
  return Buffer.concat([control(7, entries.length), ...entries.flatMap(([key, item]) => [encode(key), encode(item)])]);
}

function encodeMetadata(nodeCount: number): Buffer {
  const pairs: [string, Buffer][] = [
    ['binary_format_major_version', encode(2, 'uint16')],
    ['binary_format_minor_version', encode(0, 'uint16')],
    ['build_epoch', encode(BigInt(Math.floor(Date.now() / 1000)), 'uint64')],
    ['database_type', encode('Test-Country')],
    ['description', encode({ en: 'tiny test database' })],
    ['ip_version', encode(4, 'uint16')],
    ['languages', encode(['en'])],
    ['node_count', encode(nodeCount, 'uint32')],
    ['record_size', encode(24, 'uint16')],
  ];
  return Buffer.concat([control(7, pairs.length), ...pairs.flatMap(([key, value]) => [encode(key), value])]);
}

/** `networks`: CIDR (e.g. "192.0.2.0/24") → ISO country code. */
export function tinyCountryMmdb(networks: Record<string, string>): Buffer {
  // The tree as nested nodes first, then numbered breadth-first.
  type Node = { children: [Node | string | null, Node | string | null] };
  const root: Node = { children: [null, null] };
  for (const [cidr, country] of Object.entries(networks)) {
    const [address, prefixText] = cidr.split('/');
    const prefix = Number(prefixText);
    const bits = address.split('.').reduce((n, octet) => (n << 8) | Number(octet), 0) >>> 0;
    let node = root;
    for (let depth = 0; depth < prefix; depth++) {
      const bit = (bits >>> (31 - depth)) & 1;
      if (depth === prefix - 1) node.children[bit] = country;
      else {
        const next = node.children[bit];
        if (typeof next === 'object' && next !== null) node = next;
        else node = node.children[bit] = { children: [null, null] };
      }
    }
  }
  const nodes: Node[] = [];
  const queue: Node[] = [root];
  while (queue.length > 0) {
    const node = queue.shift()!;
    nodes.push(node);
    for (const child of node.children) if (typeof child === 'object' && child !== null) queue.push(child);
  }
  const countries = [...new Set(Object.values(networks))];
  const data: Buffer[] = [];
  const offsets = new Map<string, number>();
  let offset = 0;
  for (const country of countries) {
    const record = encode({ country: { iso_code: country } });
    offsets.set(country, offset);
    data.push(record);
    offset += record.length;
  }
  const nodeCount = nodes.length;
  const recordOf = (child: Node | string | null) =>
    child === null
      ? nodeCount
      : typeof child === 'string'
        ? nodeCount + 16 + offsets.get(child)!
        : nodes.indexOf(child);
  const tree = Buffer.alloc(nodeCount * 6);
  nodes.forEach((node, index) => {
    tree.writeUIntBE(recordOf(node.children[0]), index * 6, 3);
    tree.writeUIntBE(recordOf(node.children[1]), index * 6 + 3, 3);
  });
  return Buffer.concat([
    tree,
    Buffer.alloc(16),
    ...data,
    Buffer.from([0xab, 0xcd, 0xef]),
    Buffer.from('MaxMind.com'),
    encodeMetadata(nodeCount),
  ]);
}
