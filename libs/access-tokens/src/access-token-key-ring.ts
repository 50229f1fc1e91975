import { createHash } from 'node:crypto';
import type { AccessTokenKeys } from './access-token.service';

/**
 * The key id of a signing key: derived from the key itself (a truncated SHA-256, which reveals
 * nothing of a random 32-byte key), so every api process names the same key the same way without
 * operators having to label keys, and a token's `kid` finds its key in any process's ring.
 */
export function accessTokenKeyId(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('base64url').slice(0, 16);
}

/**
 * The ring of keys one api process uses: `signingKey` signs every new token; it and each of
 * `verificationKeys` (the previous key after a rotation, the next one before it) verify.
 */
export function accessTokenKeyRing(signingKey: string, verificationKeys: readonly string[] = []): AccessTokenKeys {
  const keys = Object.fromEntries([signingKey, ...verificationKeys].map((key) => [accessTokenKeyId(key), key]));
  return { current: accessTokenKeyId(signingKey), keys };
}
