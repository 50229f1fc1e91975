'use strict';
/**
 * A minimal client of the core-app contract v1, for the contract tests. Plain Node (>= 20), no
 * dependencies: core-app teams run these tests without this repository's toolchain.
 *
 * It signs requests itself rather than importing the gateway's signer: an independent
 * implementation of the scheme as docs/core-app-integration.md describes it, so the tests also
 * catch the document and the gateway drifting apart (test/contract/demo-core.contract.e2e-spec.ts
 * compares the two).
 */
const { createCipheriv, createHash, createHmac, randomBytes } = require('node:crypto');
const { Readable, Transform, Writable } = require('node:stream');
const { pipeline } = require('node:stream/promises');

const SIGNATURE_VERSION = 'v1';
const EMPTY_SHA256 = createHash('sha256').digest('hex');
const DEFAULT_TIMEOUT_MS = 30_000;

/** `v1\nMETHOD\npathWithQuery\ntimestampMs\nnonce\ncontentSha256hex`: what the HMAC covers. */
function canonicalString({ method, pathWithQuery, timestampMs, nonce, contentSha256 }) {
  return [
    SIGNATURE_VERSION,
    method.toUpperCase(),
    pathWithQuery,
    String(timestampMs),
    nonce,
    contentSha256.toLowerCase(),
  ].join('\n');
}

/** The four headers a signed request carries (a fresh nonce unless `request.nonce` is given). */
function signatureHeaders(secret, request) {
  const nonce = request.nonce ?? randomBytes(16).toString('base64url');
  const signature = createHmac('sha256', secret)
    .update(canonicalString({ ...request, nonce }), 'utf8')
    .digest('base64url');
  return {
    'x-gateway-timestamp': String(request.timestampMs),
    'x-gateway-nonce': nonce,
    'x-gateway-content-sha256': request.contentSha256.toLowerCase(),
    'x-gateway-signature': `${SIGNATURE_VERSION}=${signature}`,
  };
}

function sha256Hex(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

let lastTimestampMs = 0;

/**
 * Now, but never the same value twice: two identical requests (same method, target and body)
 * signed in the same millisecond would carry the same signature, and the core app must refuse
 * the second as a replay.
 */
function nextTimestampMs() {
  lastTimestampMs = Math.max(Date.now(), lastTimestampMs + 1);
  return lastTimestampMs;
}

/** `?a=1&b=x%20y`, percent-encoded (never `+` for a space), undefined values left out. */
function toQuery(query) {
  const pairs = Object.entries(query ?? {}).filter(([, value]) => value !== undefined);
  if (pairs.length === 0) return '';
  return `?${pairs.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&')}`;
}

/**
 * A reproducible pseudo-random body of `size` bytes (AES-256-CTR over zeros, keyed by `seed`),
 * produced chunk by chunk: large bodies are streamed, never held in memory, and can be read
 * twice (once for the digest the signature needs, once to send).
 */
function pseudoRandomBody(seed, size, chunkBytes = 64 * 1024) {
  const key = createHash('sha256').update(`key:${seed}`).digest();
  const iv = createHash('sha256').update(`iv:${seed}`).digest().subarray(0, 16);
  const open = () =>
    Readable.from(
      (function* generate() {
        const cipher = createCipheriv('aes-256-ctr', key, iv);
        const zeros = Buffer.alloc(chunkBytes);
        for (let sent = 0; sent < size; sent += chunkBytes) {
          yield cipher.update(zeros.subarray(0, Math.min(chunkBytes, size - sent)));
        }
      })(),
    );
  let digest;
  const sha256 = () => {
    digest ??= (async () => {
      const hash = createHash('sha256');
      for await (const chunk of open()) hash.update(chunk);
      return hash.digest('hex');
    })();
    return digest;
  };
  return { size, open, sha256 };
}

/** A body for `send`: bytes, a JSON value, or a stream factory with its digest. */
async function prepareBody(body) {
  if (body === undefined) return { payload: undefined, sha256: EMPTY_SHA256, contentType: undefined };
  if (Buffer.isBuffer(body)) {
    return { payload: body, sha256: sha256Hex(body), contentType: 'application/octet-stream' };
  }
  if (typeof body.open === 'function') {
    return { payload: body.open(), sha256: await body.sha256(), contentType: 'application/octet-stream' };
  }
  const json = Buffer.from(JSON.stringify(body.json));
  return { payload: json, sha256: sha256Hex(json), contentType: 'application/json' };
}

/**
 * One answer: status, headers, and the body as bytes (parsed too when JSON). With `hash` or
 * `into` (a Writable to stream the body to), a success is instead only streamed through
 * SHA-256: its length and digest are returned; errors are still read whole.
 */
async function readResponse(response, { hash, into }) {
  const result = { status: response.status, headers: response.headers };
  const success = response.status >= 200 && response.status < 300;
  if ((hash || into) && success) {
    const digest = createHash('sha256');
    let length = 0;
    const body = response.body ? Readable.fromWeb(response.body) : Readable.from([]);
    const meter = new Transform({
      transform(chunk, _encoding, callback) {
        digest.update(chunk);
        length += chunk.length;
        callback(null, chunk);
      },
    });
    await pipeline(body, meter, into ?? new Writable({ write: (_chunk, _encoding, callback) => callback() }));
    return { ...result, length, sha256: digest.digest('hex') };
  }
  if (into) into.destroy();
  const bytes = Buffer.from(await response.arrayBuffer());
  let json;
  if ((response.headers.get('content-type') ?? '').includes('json') && bytes.length > 0) {
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      json = undefined;
    }
  }
  return { ...result, bytes, json };
}

class ContractClient {
  /** @param {{ baseUrl: string, secret: string, timeoutMs?: number }} options */
  constructor({ baseUrl, secret, timeoutMs = DEFAULT_TIMEOUT_MS }) {
    const url = new URL(baseUrl);
    this.origin = url.origin;
    // The base URL's path is part of what is signed: the core app sees (and checks) all of it.
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.secret = secret;
    this.timeoutMs = timeoutMs;
  }

  /**
   * Sends one request under the base URL. `path` is relative to it (`/files/x`), `query` an
   * object. Options: `body` (Buffer | { json } | pseudoRandomBody), `headers`, `hash` (stream the
   * answer through SHA-256 instead of buffering it), `into` (stream a 200 answer into this
   * Writable, hashing it on the way), and for the signature tests `sign: false`,
   * `secret`, `timestampMs`, `signedSha256` (sign a digest other than the body's),
   * `signedPathWithQuery` (sign a path other than the one sent), `signatureHeaders` (send
   * exactly these).
   */
  async send(method, path, options = {}) {
    const pathWithQuery = this.requestTarget(path, options.query);
    const body = await prepareBody(options.body);
    const headers = { ...(body.contentType ? { 'content-type': body.contentType } : {}) };
    if (options.signatureHeaders) {
      Object.assign(headers, options.signatureHeaders);
    } else if (options.sign !== false) {
      Object.assign(
        headers,
        signatureHeaders(options.secret ?? this.secret, {
          method,
          pathWithQuery: options.signedPathWithQuery ?? pathWithQuery,
          timestampMs: options.timestampMs ?? nextTimestampMs(),
          contentSha256: options.signedSha256 ?? body.sha256,
        }),
      );
    }
    Object.assign(headers, options.headers);
    const response = await fetch(`${this.origin}${pathWithQuery}`, {
      method,
      headers,
      body: body.payload,
      // Required by fetch for a streamed request body.
      ...(body.payload instanceof Readable ? { duplex: 'half' } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? this.timeoutMs),
    });
    return readResponse(response, { hash: options.hash === true, into: options.into });
  }

  /**
   * Path and query exactly as fetch will put them on the request line: the URL parser
   * percent-encodes some characters (such as ' in a query) that encodeURIComponent leaves, and
   * the signature must cover what is sent.
   */
  requestTarget(path, query) {
    const url = new URL(`${this.basePath}${path}${toQuery(query)}`, this.origin);
    return `${url.pathname}${url.search}`;
  }

  /** The headers `send` would sign a request with; for the replay test, which sends them twice. */
  async signedHeadersFor(method, path, query, body) {
    const prepared = await prepareBody(body);
    return signatureHeaders(this.secret, {
      method,
      pathWithQuery: this.requestTarget(path, query),
      timestampMs: nextTimestampMs(),
      contentSha256: prepared.sha256,
    });
  }
}

module.exports = {
  ContractClient,
  EMPTY_SHA256,
  canonicalString,
  nextTimestampMs,
  pseudoRandomBody,
  sha256Hex,
  signatureHeaders,
  toQuery,
};
