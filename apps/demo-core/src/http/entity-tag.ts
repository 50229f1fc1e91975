import { DemoCoreError } from '../demo-core.error';

/** A parsed If-Match header: `*`, or a list of strong entity tags (opaque values without quotes). */
export type IfMatchCondition = { readonly any: true } | { readonly any: false; readonly tags: readonly string[] };

/** Versions are sent as strong entity tags: `"7"`. */
export function formatEntityTag(version: string): string {
  return `"${version}"`;
}

// RFC 9110 8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text.
const ENTITY_TAG = /^(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"$/;

/** Parses If-Match (RFC 9110 13.1.1); a malformed header is the client's error, not a mismatch. */
export function parseIfMatch(header: string): IfMatchCondition {
  const trimmed = header.trim();
  if (trimmed === '*') return { any: true };
  const tags: string[] = [];
  for (const member of trimmed.split(',')) {
    const match = ENTITY_TAG.exec(member.trim());
    if (!match) {
      throw DemoCoreError.badRequest(
        `If-Match must be "*" or quoted entity tags such as "3", got ${JSON.stringify(header)}`,
      );
    }
    // If-Match uses the strong comparison: a weak tag never matches (RFC 9110 13.1.1).
    if (match[1] === undefined) tags.push(match[2]);
  }
  return { any: false, tags };
}

export function ifMatchSatisfied(condition: IfMatchCondition, currentVersion: string): boolean {
  return condition.any || condition.tags.includes(currentVersion);
}
