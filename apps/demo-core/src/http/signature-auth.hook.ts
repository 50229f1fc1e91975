import { SeenSignatures, verifySignedRequest } from '@wopi/core-app-client';
import { FastifyRequest } from 'fastify';
import { DemoCoreError } from '../demo-core.error';
import { rememberSignedDigest } from './signed-body';

export interface SignatureAuthOptions {
  /** The current secret first; during a rotation also the previous one. */
  readonly secrets: readonly string[];
  /** One per process: a signature is accepted once, so a captured request cannot be replayed. */
  readonly seen: SeenSignatures;
}

/**
 * onRequest hook: every request must be signed by the gateway (contract v1, request signing).
 * Checks method, path with query, timestamp (5 minutes either way) and signature, refuses a
 * signature seen before, and keeps the signed body digest for the body checks that follow
 * (signed-body.ts): a body is only acted on once its SHA-256 matches.
 */
export function signatureAuthHook(options: SignatureAuthOptions): (request: FastifyRequest) => Promise<void> {
  const secrets = [...options.secrets];
  return async (request) => {
    const check = verifySignedRequest({
      secrets,
      method: request.method,
      // The request line exactly as received: the gateway signed the path it sent, percent-
      // encoding and query order included, so nothing may be decoded or normalised first.
      pathWithQuery: request.raw.url ?? request.url,
      headers: request.headers,
      seen: options.seen,
    });
    if (!check.ok) {
      request.log.warn({ reason: check.reason }, 'refused a request signature');
      throw DemoCoreError.unauthorized(check.reason);
    }
    rememberSignedDigest(request, check.contentSha256);
  };
}
