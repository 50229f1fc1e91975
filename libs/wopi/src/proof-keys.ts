import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { DOTNET_MAX_TICKS, epochMsFromDotNetTicks } from './dotnet-ticks';
import { type DiscoveryProofKey } from './discovery';
import { WopiHeader } from './wopi-header';
import { readSingleHeader, type WopiRequestHeaders } from './wopi-request-headers';

// Proof keys: the WOPI client signs every request; the host verifies with the public keys from
// discovery (online/scenarios/proofkeys.rst).

/** 20 min: "Ensure that the X-WOPI-TimeStamp header is no more than 20 minutes old" (proofkeys.rst). */
export const PROOF_TIMESTAMP_MAX_AGE_MS = 20 * 60 * 1000;

/**
 * 5 min: how far in the future X-WOPI-TimeStamp may be. The spec sets no bound; clocks synchronised
 * by NTP differ by far less, and a request stamped further ahead would stay replayable for longer
 * than the 20 minutes the spec intends.
 */
export const PROOF_TIMESTAMP_MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

/** The public keys a WOPI client signs with: current, and the previous one during a rotation. */
export interface WopiProofKeys {
  current: KeyObject;
  old?: KeyObject;
}

/** The proof headers of a request, as sent. */
export interface ProofHeaders {
  proof?: string;
  proofOld?: string;
  timestamp?: string;
}

/** Which of the three accepted combinations verified (proofkeys.rst, "Verifying the proof keys"). */
export enum ProofKeyRule {
  /** X-WOPI-Proof with the current key: the normal case. */
  ProofWithCurrentKey = 'proof-with-current-key',
  /** X-WOPI-ProofOld with the current key: the client rotated its keys and our discovery is stale (refresh it). */
  ProofOldWithCurrentKey = 'proof-old-with-current-key',
  /** X-WOPI-Proof with the old key: we have the rotated keys, the client machine does not yet. */
  ProofWithOldKey = 'proof-with-old-key',
}

/** Why a request's proof did not verify. Any of them is a 500 (proofkeys.rst): WopiError.invalidProof(). */
export enum ProofKeyFailure {
  /** X-WOPI-Proof or X-WOPI-TimeStamp is missing. */
  MissingHeaders = 'missing-headers',
  /** X-WOPI-TimeStamp is not a tick count. */
  MalformedTimestamp = 'malformed-timestamp',
  /** More than 20 minutes old. */
  TimestampExpired = 'timestamp-expired',
  /** More than PROOF_TIMESTAMP_MAX_FUTURE_SKEW_MS ahead of our clock. */
  TimestampInFuture = 'timestamp-in-future',
  /** No accepted combination verified: forged, or keys rotated twice since our last discovery (refresh it, once). */
  SignatureMismatch = 'signature-mismatch',
}

export type ProofVerification = { valid: true; rule: ProofKeyRule } | { valid: false; failure: ProofKeyFailure };

export interface ProofVerificationInput extends ProofHeaders {
  /** The access token of the request, decoded from the query string. */
  accessToken: string;
  /**
   * The absolute URL the client requested, with the full query string, as the client built it: the
   * public scheme and host (https even behind TLS termination), not those of an internal hop.
   */
  url: string;
  keys: WopiProofKeys;
  /** Our clock, in ms since the Unix epoch; defaults to Date.now(). */
  nowMs?: number;
}

/** X-WOPI-Proof, X-WOPI-ProofOld and X-WOPI-TimeStamp from request headers; WopiError.badRequest() for one sent twice. */
export function readProofHeaders(headers: WopiRequestHeaders): ProofHeaders {
  return {
    proof: readSingleHeader(headers, WopiHeader.Proof),
    proofOld: readSingleHeader(headers, WopiHeader.ProofOld),
    timestamp: readSingleHeader(headers, WopiHeader.TimeStamp),
  };
}

/**
 * The full decision of proofkeys.rst: the timestamp is at most 20 minutes old (and not far in the
 * future), and X-WOPI-Proof verifies with the current key, or X-WOPI-ProofOld with the current key,
 * or X-WOPI-Proof with the old key. Says which rule matched, or why none did; deciding on a
 * discovery refresh is the caller's business.
 */
export function verifyWopiProof(input: ProofVerificationInput): ProofVerification {
  if (!input.proof || !input.timestamp) return { valid: false, failure: ProofKeyFailure.MissingHeaders };
  const ticks = parseTimestampTicks(input.timestamp);
  if (ticks === undefined) return { valid: false, failure: ProofKeyFailure.MalformedTimestamp };
  // The timestamp first: a stale request is refused without RSA work and without prompting a refresh.
  const ageMs = (input.nowMs ?? Date.now()) - epochMsFromDotNetTicks(ticks);
  if (ageMs > PROOF_TIMESTAMP_MAX_AGE_MS) return { valid: false, failure: ProofKeyFailure.TimestampExpired };
  if (-ageMs > PROOF_TIMESTAMP_MAX_FUTURE_SKEW_MS) return { valid: false, failure: ProofKeyFailure.TimestampInFuture };

  const signed = proofSignedBytes({ accessToken: input.accessToken, url: input.url, timestampTicks: ticks });
  const { current, old } = input.keys;
  if (verifyProofSignature(signed, input.proof, current)) {
    return { valid: true, rule: ProofKeyRule.ProofWithCurrentKey };
  }
  if (input.proofOld && verifyProofSignature(signed, input.proofOld, current)) {
    return { valid: true, rule: ProofKeyRule.ProofOldWithCurrentKey };
  }
  if (old && verifyProofSignature(signed, input.proof, old)) {
    return { valid: true, rule: ProofKeyRule.ProofWithOldKey };
  }
  return { valid: false, failure: ProofKeyFailure.SignatureMismatch };
}

/**
 * The bytes a proof signs (proofkeys.rst, "Constructing the expected proof"): 4-byte big-endian
 * length + UTF-8 access token, 4-byte length + UTF-8 URL upper-cased, 4-byte length (8) + the
 * timestamp as an 8-byte big-endian integer (not as text).
 */
export function proofSignedBytes(input: { accessToken: string; url: string; timestampTicks: bigint }): Buffer {
  const token = Buffer.from(input.accessToken, 'utf8');
  const url = Buffer.from(toUpperInvariant(input.url), 'utf8');
  const timestamp = Buffer.alloc(8);
  timestamp.writeBigInt64BE(input.timestampTicks);
  return Buffer.concat([int32BE(token.length), token, int32BE(url.length), url, int32BE(timestamp.length), timestamp]);
}

/** RSA PKCS#1 v1.5 with SHA-256 over `signedBytes`; false for a malformed signature rather than an exception. */
export function verifyProofSignature(signedBytes: Buffer, signatureBase64: string, key: KeyObject): boolean {
  const signature = decodeBase64(signatureBase64);
  if (signature === undefined) return false;
  try {
    return verify('sha256', signedBytes, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
}

/**
 * The current and old public keys of a discovery `<proof-key>` element. Uses `modulus`/`exponent`
 * (and `oldmodulus`/`oldexponent`), falling back to the CryptoAPI blob in `value` (`oldvalue`).
 * Throws an Error when the current key is missing or malformed, or a published old key is malformed.
 */
export function importProofKeys(proofKey: DiscoveryProofKey): WopiProofKeys {
  const current = importPublicKey(proofKey.modulus, proofKey.exponent, proofKey.value, 'current');
  const hasOld =
    proofKey.oldValue !== undefined || (proofKey.oldModulus !== undefined && proofKey.oldExponent !== undefined);
  const old = hasOld ? importPublicKey(proofKey.oldModulus, proofKey.oldExponent, proofKey.oldValue, 'old') : undefined;
  return old === undefined ? { current } : { current, old };
}

/** An RSA public key from its base64 big-endian modulus and exponent, as discovery publishes them. */
export function publicKeyFromModulusAndExponent(modulusBase64: string, exponentBase64: string): KeyObject {
  const modulus = decodeBase64(modulusBase64);
  const exponent = decodeBase64(exponentBase64);
  if (modulus === undefined || modulus.length === 0) throw new Error('proof key: the modulus is not base64');
  if (exponent === undefined || exponent.length === 0) throw new Error('proof key: the exponent is not base64');
  return createPublicKey({ key: { kty: 'RSA', n: base64Url(modulus), e: base64Url(exponent) }, format: 'jwk' });
}

/**
 * An RSA public key from a base64 CryptoAPI PUBLICKEYBLOB (.NET's RSACryptoServiceProvider.ExportCspBlob):
 * BLOBHEADER (type 0x06, version 0x02, reserved, algorithm id), RSAPUBKEY ("RSA1", bit length,
 * public exponent; little-endian), then the modulus, little-endian.
 */
export function publicKeyFromCspBlob(blobBase64: string): KeyObject {
  const blob = decodeBase64(blobBase64);
  const PUBLICKEYBLOB = 0x06;
  const CUR_BLOB_VERSION = 0x02;
  const HEADER_BYTES = 20;
  if (blob === undefined || blob.length < HEADER_BYTES) {
    throw new Error('proof key: the value is not a CryptoAPI public key blob');
  }
  if (blob[0] !== PUBLICKEYBLOB || blob[1] !== CUR_BLOB_VERSION || blob.toString('latin1', 8, 12) !== 'RSA1') {
    throw new Error('proof key: the value is not an RSA PUBLICKEYBLOB');
  }
  const bitLength = blob.readUInt32LE(12);
  if (bitLength === 0 || bitLength % 8 !== 0 || blob.length !== HEADER_BYTES + bitLength / 8) {
    throw new Error('proof key: the PUBLICKEYBLOB length does not match its modulus size');
  }
  const exponent = Buffer.alloc(4);
  exponent.writeUInt32BE(blob.readUInt32LE(16));
  const modulus = Buffer.from(blob.subarray(HEADER_BYTES)).reverse();
  return publicKeyFromModulusAndExponent(modulus.toString('base64'), exponent.toString('base64'));
}

function importPublicKey(
  modulus: string | undefined,
  exponent: string | undefined,
  cspBlob: string | undefined,
  which: 'current' | 'old',
): KeyObject {
  try {
    if (modulus !== undefined && exponent !== undefined) return publicKeyFromModulusAndExponent(modulus, exponent);
    if (cspBlob !== undefined) return publicKeyFromCspBlob(cspBlob);
  } catch (error) {
    throw new Error(`discovery: the ${which} proof key cannot be imported: ${(error as Error).message}`, {
      cause: error,
    });
  }
  throw new Error(`discovery: the ${which} proof key has neither modulus/exponent nor value`);
}

/** A decimal tick count that fits a .NET DateTime, or undefined. */
function parseTimestampTicks(timestamp: string): bigint | undefined {
  if (!/^\d{1,19}$/.test(timestamp)) return undefined;
  const ticks = BigInt(timestamp);
  return ticks <= DOTNET_MAX_TICKS ? ticks : undefined;
}

/**
 * Upper-cases like .NET's ToUpperInvariant, which the client applies: character by character, and
 * only where the upper case is a single character ('ß' stays 'ß', not "SS" as in JavaScript).
 */
function toUpperInvariant(text: string): string {
  // The signed URL is percent-encoded, so nearly always ASCII, where both rules agree: no loop
  // over a token of a thousand characters on every request.
  if (ASCII_ONLY.test(text)) return text.toUpperCase();
  let upper = '';
  for (const char of text) {
    const mapped = char.toUpperCase();
    upper += mapped.length === char.length ? mapped : char;
  }
  return upper;
}

// eslint-disable-next-line no-control-regex -- the whole ASCII range, control characters included
const ASCII_ONLY = /^[\x00-\x7f]*$/;

function int32BE(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeInt32BE(value);
  return bytes;
}

/** Strict base64 (Buffer.from silently skips junk); undefined when the text is not base64. */
function decodeBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

/** base64url without padding and without leading zero bytes, as JWK wants RSA integers (RFC 7518 §6.3.1). */
function base64Url(bigEndian: Buffer): string {
  let start = 0;
  while (start < bigEndian.length - 1 && bigEndian[start] === 0) start += 1;
  return bigEndian.subarray(start).toString('base64url');
}
