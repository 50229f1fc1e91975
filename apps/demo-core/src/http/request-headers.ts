import { FastifyRequest } from 'fastify';
import { DemoCoreError } from '../demo-core.error';
import { CoreHeader } from './core-header';
import { IfMatchCondition, parseIfMatch } from './entity-tag';

// Visible ASCII, as in draft-ietf-httpapi-idempotency-key-header; 255 keeps records small.
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const DECIMAL = /^\d+$/;

/** Idempotency-Key, required on every write that takes one (contract v1). */
export function requireIdempotencyKey(request: FastifyRequest): string {
  const key = singleHeader(request.headers[CoreHeader.IdempotencyKey]);
  if (key === undefined) throw DemoCoreError.badRequest('Idempotency-Key is required on this call');
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw DemoCoreError.badRequest('Idempotency-Key must be 1 to 255 visible ASCII characters');
  }
  return key;
}

export function optionalIfMatch(request: FastifyRequest): IfMatchCondition | undefined {
  const header = singleHeader(request.headers[CoreHeader.IfMatch]);
  return header === undefined ? undefined : parseIfMatch(header);
}

/** Content-Length when the request sent a valid one (a chunked body has none). */
export function declaredBytes(request: FastifyRequest): number | undefined {
  const header = singleHeader(request.headers[CoreHeader.ContentLength]);
  return header !== undefined && DECIMAL.test(header) ? Number(header) : undefined;
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
