import { randomBytes } from 'node:crypto';

/** A new file ID: 128 random bits, URL-safe, opaque (22 characters of base64url). */
export function mintFileId(): string {
  return randomBytes(16).toString('base64url');
}
