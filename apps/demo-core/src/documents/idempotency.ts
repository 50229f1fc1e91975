import { createHash } from 'node:crypto';

// 24 h: how long the contract asks a core app to remember an Idempotency-Key. The gateway's
// retries of one call come within minutes; the margin covers a long core-app outage.
export const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;
// Bounds a record's size (each entry is ~300 bytes, rewritten with every change of the file).
export const MAX_IDEMPOTENT_WRITES_PER_DOCUMENT = 100;

/** The writes that take an Idempotency-Key; part of every fingerprint. */
export enum IdempotentOperation {
  PutContent = 'put-content',
  CreateSibling = 'create-sibling',
}

/**
 * What makes two requests "the same request" under one Idempotency-Key: the operation, the
 * file it addresses, the user, its parameters and the SHA-256 of its body. A retry reproduces
 * all of them; anything else reusing the key is answered 422.
 */
export function requestFingerprint(operation: IdempotentOperation, ...parts: readonly string[]): string {
  return createHash('sha256')
    .update(JSON.stringify([operation, ...parts]))
    .digest('hex');
}

export function putContentFingerprint(ref: string, userId: string, bodySha256: string): string {
  return requestFingerprint(IdempotentOperation.PutContent, ref, userId, bodySha256);
}

export function createSiblingFingerprint(
  sourceRef: string,
  userId: string,
  name: string,
  onConflict: string,
  bodySha256: string,
): string {
  return requestFingerprint(IdempotentOperation.CreateSibling, sourceRef, userId, name, onConflict, bodySha256);
}
