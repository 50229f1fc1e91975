import { EMPTY_BODY_SHA256 } from '@wopi/core-app-client';
import { FastifyInstance, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { DemoCoreError } from '../demo-core.error';

// The signed x-gateway-content-sha256 of each request (set by signatureAuthHook), and the
// requests whose buffered body was already checked against it. WeakMaps: nothing to clean up.
const signedDigests = new WeakMap<FastifyRequest, string>();
const verifiedBodies = new WeakSet<FastifyRequest>();

// JSON bodies of the contract are a file name or a fault switch: a few hundred bytes.
const JSON_BODY_LIMIT_BYTES = 64 * 1024;

export function rememberSignedDigest(request: FastifyRequest, contentSha256: string): void {
  signedDigests.set(request, contentSha256);
}

/** The body digest the verified signature covers; only routes behind signatureAuthHook may ask. */
export function signedBodySha256(request: FastifyRequest): string {
  const digest = signedDigests.get(request);
  if (digest === undefined) throw new Error(`${request.method} ${request.url} has no verified signature`);
  return digest;
}

/**
 * Parses `application/json` bodies only after their SHA-256 matched the signed digest, and
 * accepts no other content type. Registered on a scope; Fastify's default parsers are removed.
 */
export function acceptVerifiedJson(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: JSON_BODY_LIMIT_BYTES },
    (request, body, done) => {
      const bytes = body as Buffer;
      if (createHash('sha256').update(bytes).digest('hex') !== signedBodySha256(request)) {
        done(DemoCoreError.digestMismatch(), undefined);
        return;
      }
      verifiedBodies.add(request);
      if (bytes.length === 0) {
        done(null, undefined);
        return;
      }
      try {
        done(null, JSON.parse(bytes.toString('utf8')));
      } catch {
        done(DemoCoreError.badRequest('the body is not valid JSON'), undefined);
      }
    },
  );
}

/**
 * Hands any body to the route as the raw request stream, whatever its content type: content
 * is bytes, never parsed or buffered. The route must check the digest while storing the bytes
 * (DocumentsService does, before it commits anything).
 */
export function acceptRawStreams(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
}

/**
 * preHandler hook: a request whose body no parser checked (no body at all, or a GET) must
 * have been signed with the digest of an empty body. Raw streams are checked by their route.
 */
export async function requireVerifiedOrEmptyBody(request: FastifyRequest): Promise<void> {
  if (request.body instanceof Readable || verifiedBodies.has(request)) return;
  if (signedBodySha256(request) !== EMPTY_BODY_SHA256) throw DemoCoreError.digestMismatch();
}

/** The raw body stream of a route under acceptRawStreams; no body at all is an empty stream. */
export function rawBody(request: FastifyRequest): Readable {
  return request.body instanceof Readable ? request.body : Readable.from([]);
}
