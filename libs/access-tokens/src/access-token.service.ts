import { createSecretKey, type KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ProcessCache } from '@wopi/redis';
import { errors, jwtVerify, SignJWT } from 'jose';
import { decodePermissions, encodePermissions, type FilePermissions } from './permissions';

export const ACCESS_TOKEN_KEYS = Symbol('ACCESS_TOKEN_KEYS');

/**
 * The longest an access token may live, whatever a tenant configures. Revocations are kept exactly
 * this long (RevocationStore), so every token a revocation concerns has expired before it is
 * forgotten. Microsoft recommends 10 hours (learn rest/concepts.md), the tenants' default.
 */
export const ACCESS_TOKEN_MAX_TTL_MS = 24 * 60 * 60 * 1000;

/** "access tokens should be no more than 1,500 characters long" URL-encoded (faq/access_token_length.rst). */
export const ACCESS_TOKEN_MAX_ENCODED_LENGTH = 1500;

/** Signing keys by key id; `current` signs, every key verifies (rotation keeps old tokens valid). */
export interface AccessTokenKeys {
  current: string;
  keys: Record<string, string>;
}

export interface AccessTokenClaims {
  tenantId: string;
  fileId: string;
  /** The core app's user id (not prefixed). */
  userId: string;
  permissions: FilePermissions;
  /** Expiry in milliseconds since the epoch: WOPI's access_token_ttl. */
  expiresAtMs: number;
  /** When the token was issued, in ms since the epoch; a revocation refuses tokens issued up to its time. */
  issuedAtMs: number;
  /** `jti`: names this one token. */
  tokenId: string;
  /** `sid`: the editor session; renewed tokens keep it, so revoking a session ends all of them. */
  sessionId: string;
  /**
   * `cp`: the WOPI-client profile the session was opened with: whose proof keys and behaviour apply
   * to this token's requests. Absent on tokens issued before tenants had several profiles (the
   * tenant's default profile applies then).
   */
  clientProfileId?: string;
}

export interface IssueAccessTokenInput {
  tenantId: string;
  fileId: string;
  userId: string;
  permissions: FilePermissions;
  /** Lifetime; capped at ACCESS_TOKEN_MAX_TTL_MS. */
  ttlMs: number;
  /** The session a renewed token continues; a new one is started when absent. */
  sessionId?: string;
  /** The WOPI-client profile the session uses (claim `cp`). */
  clientProfileId?: string;
}

export class InvalidAccessTokenError extends Error {
  constructor(reason: string) {
    super(`invalid access token: ${reason}`);
    this.name = 'InvalidAccessTokenError';
  }
}

/** A well-formed token of ours that has expired (a renewal answers "session over", not "bad request"). */
export class ExpiredAccessTokenError extends InvalidAccessTokenError {
  constructor() {
    super('expired');
    this.name = 'ExpiredAccessTokenError';
  }
}

const ISSUER = 'wopi-gateway';
const AUDIENCE = 'wopi';

/** Tokens whose verified claims a process keeps (~0.5 KB each): the editors active on it, and more. */
const VERIFIED_TOKENS_KEPT = 20_000;

/** A new editor-session id: 128 random bits, URL-safe (22 characters). */
export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * Access tokens are JWTs (HS256, via jose) binding tenant, file, user, session and a permissions
 * snapshot. They are opaque to WOPI clients and never logged.
 */
@Injectable()
export class AccessTokenService {
  /** Key objects made once: jose would otherwise import the raw secret on every sign and verify. */
  private readonly secrets: Map<string, KeyObject>;
  /**
   * The claims of tokens this process has verified, by the token's exact text. A WOPI client sends
   * the same token on every request of a session, and verifying it (signature, issuer, audience,
   * claim types) was a tenth of a CheckFileInfo's CPU. Sound because the key ring is fixed for the
   * process's life: the same bytes verify the same way until the token expires, which a hit still
   * checks. Any other text, a tampered token included, is verified in full. Revocation is checked
   * apart from this, on every request (RevocationStore).
   */
  private readonly verified = new ProcessCache<AccessTokenClaims>('verified-access-tokens', {
    ttlMs: ACCESS_TOKEN_MAX_TTL_MS,
    maxEntries: VERIFIED_TOKENS_KEPT,
  });

  constructor(@Inject(ACCESS_TOKEN_KEYS) private readonly config: AccessTokenKeys) {
    this.secrets = new Map(
      Object.entries(config.keys).map(([kid, key]) => [kid, createSecretKey(Buffer.from(key, 'utf8'))]),
    );
    if (!this.secrets.has(config.current)) throw new Error(`access-token key "${config.current}" is not configured`);
  }

  async issue(input: IssueAccessTokenInput): Promise<{ token: string; claims: AccessTokenClaims }> {
    const issuedAtMs = Date.now();
    const ttlMs = Math.min(input.ttlMs, ACCESS_TOKEN_MAX_TTL_MS);
    // Whole seconds: JWT exp has second precision, and access_token_ttl must equal the real expiry.
    const expiresAtMs = Math.floor((issuedAtMs + ttlMs) / 1000) * 1000;
    const tokenId = randomUUID();
    const sessionId = input.sessionId ?? newSessionId();
    const token = await new SignJWT({
      tid: input.tenantId,
      fid: input.fileId,
      sid: sessionId,
      p: encodePermissions(input.permissions),
      ...(input.clientProfileId ? { cp: input.clientProfileId } : {}),
    })
      .setProtectedHeader({ alg: 'HS256', kid: this.config.current })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(input.userId)
      .setJti(tokenId)
      // NumericDate may be fractional (RFC 7519 §2): millisecond precision lets a revocation tell a
      // token issued just before it from one issued just after (a user whose access came back).
      .setIssuedAt(issuedAtMs / 1000)
      .setExpirationTime(expiresAtMs / 1000)
      .sign(this.secrets.get(this.config.current)!);
    if (encodeURIComponent(token).length > ACCESS_TOKEN_MAX_ENCODED_LENGTH) {
      // Only an absurd user id or file id can get here; WOPI clients would truncate or refuse it.
      throw new Error(`access token longer than ${ACCESS_TOKEN_MAX_ENCODED_LENGTH} characters URL-encoded`);
    }
    return {
      token,
      claims: {
        tenantId: input.tenantId,
        fileId: input.fileId,
        userId: input.userId,
        permissions: input.permissions,
        expiresAtMs,
        issuedAtMs,
        tokenId,
        sessionId,
        ...(input.clientProfileId ? { clientProfileId: input.clientProfileId } : {}),
      },
    };
  }

  /** Verifies signature, issuer, audience and expiry; throws ExpiredAccessTokenError or InvalidAccessTokenError. */
  async verify(token: string): Promise<AccessTokenClaims> {
    const known = this.verified.get(token);
    if (known) return known;
    const claims = await this.verifyInFull(token);
    // Kept until it expires: the cache drops an entry at its expiry, as jose would refuse it then.
    // One clock reading for the lifetime and its start: the entry ends exactly at the token's expiry.
    const nowMs = Date.now();
    this.verified.set(token, claims, claims.expiresAtMs - nowMs, nowMs);
    return claims;
  }

  private async verifyInFull(token: string): Promise<AccessTokenClaims> {
    try {
      const { payload } = await jwtVerify(
        token,
        (header) => {
          const key = header.kid ? this.secrets.get(header.kid) : undefined;
          if (!key) throw new InvalidAccessTokenError('unknown key id');
          return key;
        },
        { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] },
      );
      const { tid, fid, p, sub, exp, iat, jti, sid, cp } = payload as Record<string, unknown>;
      if (
        typeof tid !== 'string' ||
        typeof fid !== 'string' ||
        typeof p !== 'string' ||
        typeof sub !== 'string' ||
        typeof exp !== 'number' ||
        typeof iat !== 'number' ||
        typeof jti !== 'string' ||
        (sid !== undefined && typeof sid !== 'string') ||
        (cp !== undefined && typeof cp !== 'string')
      ) {
        throw new InvalidAccessTokenError('missing claims');
      }
      // Frozen: one verified token's claims are shared by every request that carries it.
      return Object.freeze({
        tenantId: tid,
        fileId: fid,
        userId: sub,
        permissions: Object.freeze(decodePermissions(p)),
        expiresAtMs: exp * 1000,
        issuedAtMs: Math.round(iat * 1000),
        tokenId: jti,
        // Tokens minted before sessions had ids are their own one-token session.
        sessionId: sid ?? jti,
        ...(cp !== undefined ? { clientProfileId: cp } : {}),
      });
    } catch (error) {
      if (error instanceof InvalidAccessTokenError) throw error;
      if (error instanceof errors.JWTExpired) throw new ExpiredAccessTokenError();
      throw new InvalidAccessTokenError(error instanceof Error ? error.message : 'unreadable');
    }
  }
}
