// Characters that would break the key layout: braces would move the Redis Cluster hash tag, and a
// colon would make `{a:b:c}` ambiguous between tenant "a", file "b:c" and tenant "a:b", file "c".
const FORBIDDEN_ID_CHARACTERS = /[{}:]/;

/**
 * The Redis key of one file's lock: `wopi:lock:{<tenantId>:<fileId>}`. The braces are a Redis
 * Cluster hash tag over one file, so a large tenant spreads over every shard (STYLE.md, "Naming").
 */
export function lockKey(tenantId: string, fileId: string): string {
  assertKeyPart('tenantId', tenantId);
  assertKeyPart('fileId', fileId);
  return `wopi:lock:{${tenantId}:${fileId}}`;
}

function assertKeyPart(name: string, value: string): void {
  // Both IDs come from a verified access token (a UUID and a base64url file ID), so a bad one is a
  // bug upstream: refuse it rather than lock a different key than the caller meant.
  if (value.length === 0 || FORBIDDEN_ID_CHARACTERS.test(value)) {
    throw new TypeError(`${name} must be non-empty and contain none of "{", "}", ":", got ${JSON.stringify(value)}`);
  }
}
