import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { parseDiscovery } from './discovery';
import { epochMsFromDotNetTicks, toDotNetTicks } from './dotnet-ticks';
import {
  ProofKeyFailure,
  ProofKeyRule,
  importProofKeys,
  proofSignedBytes,
  publicKeyFromCspBlob,
  publicKeyFromModulusAndExponent,
  readProofHeaders,
  verifyProofSignature,
  verifyWopiProof,
  type ProofVerificationInput,
  type WopiProofKeys,
} from './proof-keys';
import { validatorDiscovery, validatorProofKey } from '../test/validator-fixtures';
import { WopiHeader } from './wopi-header';

// The WOPI validator's test keys and the discovery document that publishes them.
const currentPrivateKey = createPrivateKey(validatorProofKey('current.pem'));
const oldPrivateKey = createPrivateKey(validatorProofKey('old.pem'));
const proofKey = parseDiscovery(validatorDiscovery()).proofKey!;
const keys = importProofKeys(proofKey);

// What the validator sends for ProofKey Timestamp="2015-08-17T00:00:00Z" (TimestampOlderThan20Min).
const VALIDATOR_OLD_TIMESTAMP_MS = Date.UTC(2015, 7, 17);
// "SU5WQUxJRA==" (base64 of "INVALID"): the validator's stand-in for a mutated proof.
const INVALID_PROOF = Buffer.from('INVALID').toString('base64');

const NOW_MS = Date.UTC(2026, 10, 21, 12, 0, 0);
const ACCESS_TOKEN = 'tok-é/+=';
const URL = 'https://wopi.example.com/wopi/files/Xy_9?access_token=tok-%C3%A9%2F%2B%3D&access_token_ttl=1800000000000';

const signProof = (key: KeyObject, data: Buffer): string => sign('sha256', data, key).toString('base64');
const samePublicKey = (a: KeyObject, b: KeyObject): boolean =>
  JSON.stringify(a.export({ format: 'jwk' })) === JSON.stringify(b.export({ format: 'jwk' }));

/** Headers as the validator builds them: X-WOPI-Proof with the current key, X-WOPI-ProofOld with the old one. */
function signedRequest(timestampMs = NOW_MS - 60_000): ProofVerificationInput & { proof: string; proofOld: string } {
  const ticks = toDotNetTicks(timestampMs);
  const data = proofSignedBytes({ accessToken: ACCESS_TOKEN, url: URL, timestampTicks: ticks });
  return {
    accessToken: ACCESS_TOKEN,
    url: URL,
    keys,
    nowMs: NOW_MS,
    proof: signProof(currentPrivateKey, data),
    proofOld: signProof(oldPrivateKey, data),
    timestamp: ticks.toString(),
  };
}

describe('proof keys', () => {
  describe('importing the public keys from discovery', () => {
    it("imports the validator's current and old keys", () => {
      expect(samePublicKey(keys.current, createPublicKey(currentPrivateKey))).toBe(true);
      expect(samePublicKey(keys.old!, createPublicKey(oldPrivateKey))).toBe(true);
    });

    it('reads the same key from modulus/exponent and from the CryptoAPI blob (value)', () => {
      expect(
        samePublicKey(
          publicKeyFromCspBlob(proofKey.value!),
          publicKeyFromModulusAndExponent(proofKey.modulus!, proofKey.exponent!),
        ),
      ).toBe(true);
      expect(samePublicKey(publicKeyFromCspBlob(proofKey.oldValue!), keys.old!)).toBe(true);
      const fromBlobsOnly = importProofKeys({ value: proofKey.value, oldValue: proofKey.oldValue });
      expect(samePublicKey(fromBlobsOnly.current, keys.current)).toBe(true);
      expect(samePublicKey(fromBlobsOnly.old!, keys.old!)).toBe(true);
    });

    it('has no old key when discovery publishes none', () => {
      expect(importProofKeys({ modulus: proofKey.modulus, exponent: proofKey.exponent }).old).toBeUndefined();
    });

    it.each([
      ['no key at all', {}, /neither modulus\/exponent nor value/],
      ['a modulus that is not base64', { modulus: 'not base64!', exponent: 'AQAB' }, /current proof key.*modulus/],
      [
        'a blob that is not a PUBLICKEYBLOB',
        { value: Buffer.from('x'.repeat(40)).toString('base64') },
        /current proof key.*PUBLICKEYBLOB/,
      ],
      [
        'a truncated blob',
        { value: Buffer.from(proofKey.value!, 'base64').subarray(0, 100).toString('base64') },
        /length/,
      ],
      ['a malformed old key', { value: proofKey.value, oldModulus: '@@@@', oldExponent: 'AQAB' }, /old proof key/],
    ])('refuses %s', (_name, element, message) => {
      expect(() => importProofKeys(element)).toThrow(message);
    });
  });

  describe('the signed bytes', () => {
    it('are length-prefixed token, upper-cased URL and 8-byte big-endian ticks (proofkeys.rst)', () => {
      const bytes = proofSignedBytes({
        accessToken: 'tök',
        url: 'http://h/wopi/files/a?access_token=t%C3%B6k',
        timestampTicks: 0x0102030405060708n,
      });
      const token = Buffer.from('tök', 'utf8');
      const url = Buffer.from('HTTP://H/WOPI/FILES/A?ACCESS_TOKEN=T%C3%B6K', 'utf8');
      expect(bytes).toEqual(
        Buffer.concat([
          Buffer.from([0, 0, 0, token.length]),
          token,
          Buffer.from([0, 0, 0, url.length]),
          url,
          Buffer.from([0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8]),
        ]),
      );
    });

    it("upper-cases like .NET's ToUpperInvariant: one character for one", () => {
      const bytes = proofSignedBytes({ accessToken: '', url: 'a-ß-é', timestampTicks: 0n });
      expect(bytes.subarray(8, bytes.length - 12).toString('utf8')).toBe('A-ß-É');
    });

    it('match what the validator signs (known-answer vectors made with its own signing code)', () => {
      const ticks = 638000000000000000n;
      const url = 'http://127.0.0.1:3000/wopi/files/abc?access_token=MYTOKEN&access_token_ttl=0';
      const data = proofSignedBytes({ accessToken: 'MYTOKEN', url, timestampTicks: ticks });
      expect(data.toString('hex')).toBe(
        '000000074d59544f4b454e0000004c485454503a2f2f3132372e302e302e313a333030302f574f50492f46494c45532f4142433f4143434553535f544f4b454e3d4d59544f4b454e264143434553535f544f4b454e5f54544c3d300000000808daa19ea6b30000',
      );
      const result = verifyWopiProof({
        accessToken: 'MYTOKEN',
        url,
        keys,
        nowMs: epochMsFromDotNetTicks(ticks),
        timestamp: ticks.toString(),
        proof:
          'hnx+JYtx9O29eplHnPXGHgFH1NTG+TOgJmsQacIkGOxaArQQ+wnJJuD7M6DnxFVU60e1eq5EgoPJLZXEcUo/x8057k4LnjUE4vFPFX0POZbaQ2KtlugqJFhu8Hg2e89y6Xss34Y2Wg31GmoWHborfjr40CMJTXmOKPZL7+UHye5MRh/5fkk9LDQZSCbOj/AiIJrNRUpQs/ftvkB66OjmBawJSdG294tADH4bIedQnuHjVi06wJzO172zboXf5Y6xGF7eYGe0kWwYiXcRzHokY8ROZBPYB/FeBSVzjIsiWeXGr1WMvkR/oPBkV5wfRIazLNKWt9APzCk5PLHQjplXRQ==',
        proofOld:
          'V7Z+W2dpYtL40hib2TbXN3ugAOf5x5AHIbDUnlbdTIgytS75f00h25MOhl19SGyfvz523xu+sEfL4znM8Kkqx0tJrhBBhR7usCXEoOgVmVz+SvMoiHIgpcoL0ktQ3JoJkgnbdz2SBkExoeumqx8I3Jy+0Ph5/pyq3mqU86GpaA/FVKXMrpp0SWkNyTtfceXDuv24+BNPti0IpqXHSdhfZSh3o/WO/TUhKuRpCUaSsEumjUWeNMdNEv6pdIcFtCoiDG9eba4P6KGdteOwYUGfgUKdPCmYI3GpgIu2jTBaEQSn9BfYtSWxV4jqfnp8idId1YnbDYKkJy39wuH5qaYM1Q==',
      });
      expect(result).toEqual({ valid: true, rule: ProofKeyRule.ProofWithCurrentKey });
    });
  });

  describe("verifyWopiProof, for every case of the validator's ProofKeys group", () => {
    it('ProofKeys.CurrentValid.OldValid: accepted by X-WOPI-Proof with the current key', () => {
      expect(verifyWopiProof(signedRequest())).toEqual({ valid: true, rule: ProofKeyRule.ProofWithCurrentKey });
    });

    it('ProofKeys.CurrentValid.OldInvalid (MutateOld): accepted by X-WOPI-Proof with the current key', () => {
      expect(verifyWopiProof({ ...signedRequest(), proofOld: INVALID_PROOF })).toEqual({
        valid: true,
        rule: ProofKeyRule.ProofWithCurrentKey,
      });
    });

    it('ProofKeys.CurrentInvalid.OldValidSignedWithCurrentKey (KeyRelation Ahead): accepted by X-WOPI-ProofOld with the current key', () => {
      const request = signedRequest();
      expect(verifyWopiProof({ ...request, proof: INVALID_PROOF, proofOld: request.proof })).toEqual({
        valid: true,
        rule: ProofKeyRule.ProofOldWithCurrentKey,
      });
    });

    it('ProofKeys.CurrentValidSignedWithOldKey.OldInvalid (KeyRelation Behind): accepted by X-WOPI-Proof with the old key', () => {
      const request = signedRequest();
      expect(verifyWopiProof({ ...request, proof: request.proofOld, proofOld: INVALID_PROOF })).toEqual({
        valid: true,
        rule: ProofKeyRule.ProofWithOldKey,
      });
    });

    it('ProofKeys.CurrentInvalid.OldValidSignedWithOldKey (MutateCurrent): refused, ProofOld with the old key is no rule', () => {
      expect(verifyWopiProof({ ...signedRequest(), proof: INVALID_PROOF })).toEqual({
        valid: false,
        failure: ProofKeyFailure.SignatureMismatch,
      });
    });

    it('ProofKeys.CurrentInvalid.OldInvalid (MutateCurrent + MutateOld): refused', () => {
      expect(verifyWopiProof({ ...signedRequest(), proof: INVALID_PROOF, proofOld: INVALID_PROOF })).toEqual({
        valid: false,
        failure: ProofKeyFailure.SignatureMismatch,
      });
    });

    it('ProofKeys.TimestampOlderThan20Min (Timestamp 2015-08-17T00:00:00Z, correctly signed): refused', () => {
      expect(verifyWopiProof(signedRequest(VALIDATOR_OLD_TIMESTAMP_MS))).toEqual({
        valid: false,
        failure: ProofKeyFailure.TimestampExpired,
      });
    });
  });

  describe('verifyWopiProof, beyond the validator', () => {
    it('accepts a timestamp exactly 20 minutes old, refuses one a millisecond older', () => {
      expect(verifyWopiProof(signedRequest(NOW_MS - 20 * 60_000)).valid).toBe(true);
      expect(verifyWopiProof(signedRequest(NOW_MS - 20 * 60_000 - 1))).toEqual({
        valid: false,
        failure: ProofKeyFailure.TimestampExpired,
      });
    });

    it('accepts up to 5 minutes of clock skew into the future, not more', () => {
      expect(verifyWopiProof(signedRequest(NOW_MS + 5 * 60_000)).valid).toBe(true);
      expect(verifyWopiProof(signedRequest(NOW_MS + 5 * 60_000 + 1))).toEqual({
        valid: false,
        failure: ProofKeyFailure.TimestampInFuture,
      });
    });

    it('does not accept X-WOPI-Proof with the old key when discovery has no old key', () => {
      const request = signedRequest();
      const currentOnly: WopiProofKeys = { current: keys.current };
      expect(
        verifyWopiProof({ ...request, keys: currentOnly, proof: request.proofOld, proofOld: INVALID_PROOF }).valid,
      ).toBe(false);
    });

    it('binds the signature to the token, the URL and the timestamp', () => {
      const request = signedRequest();
      expect(verifyWopiProof({ ...request, accessToken: 'other' }).valid).toBe(false);
      expect(verifyWopiProof({ ...request, url: URL.replace('https:', 'http:') }).valid).toBe(false);
      expect(verifyWopiProof({ ...request, url: `${URL}&extra=1` }).valid).toBe(false);
      expect(verifyWopiProof({ ...request, timestamp: (BigInt(request.timestamp!) + 1n).toString() }).valid).toBe(
        false,
      );
      // Case does not matter: the URL is upper-cased before signing.
      expect(verifyWopiProof({ ...request, url: URL.toLowerCase() }).valid).toBe(true);
    });

    it.each([
      ['no X-WOPI-Proof', { proof: undefined }, ProofKeyFailure.MissingHeaders],
      ['an empty X-WOPI-Proof', { proof: '' }, ProofKeyFailure.MissingHeaders],
      ['no X-WOPI-TimeStamp', { timestamp: undefined }, ProofKeyFailure.MissingHeaders],
      ['a non-numeric timestamp', { timestamp: '2026-11-21T12:00:00Z' }, ProofKeyFailure.MalformedTimestamp],
      ['a negative timestamp', { timestamp: '-1' }, ProofKeyFailure.MalformedTimestamp],
      [
        'a timestamp beyond DateTime.MaxValue',
        { timestamp: '9999999999999999999' },
        ProofKeyFailure.MalformedTimestamp,
      ],
      ['a signature that is not base64', { proof: 'not base64!' }, ProofKeyFailure.SignatureMismatch],
    ])('refuses %s', (_name, change, failure) => {
      expect(verifyWopiProof({ ...signedRequest(), ...change })).toEqual({ valid: false, failure });
    });

    it('verifies a single signature directly, false for junk rather than an exception', () => {
      const data = proofSignedBytes({ accessToken: 't', url: 'u', timestampTicks: 1n });
      expect(verifyProofSignature(data, signProof(currentPrivateKey, data), keys.current)).toBe(true);
      expect(verifyProofSignature(data, signProof(currentPrivateKey, data), keys.old!)).toBe(false);
      expect(verifyProofSignature(data, INVALID_PROOF, keys.current)).toBe(false);
      expect(verifyProofSignature(data, '', keys.current)).toBe(false);
    });
  });

  it('reads the proof headers from lowercase request headers', () => {
    expect(
      readProofHeaders({
        [WopiHeader.Proof]: 'p',
        [WopiHeader.ProofOld]: 'o',
        [WopiHeader.TimeStamp]: '1',
        other: 'x',
      }),
    ).toEqual({
      proof: 'p',
      proofOld: 'o',
      timestamp: '1',
    });
    expect(readProofHeaders({})).toEqual({ proof: undefined, proofOld: undefined, timestamp: undefined });
  });
});
