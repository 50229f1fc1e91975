import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { proofSignedBytes, toDotNetTicks } from '@wopi/wopi';

/** The key files in the keys folder: PKCS#8 PEM private keys, readable by their owner only. */
const CURRENT_FILE = 'current.pem';
const OLD_FILE = 'old.pem';

/** What discovery's `<proof-key>` publishes of a public key (proofkeys.rst): both forms Office publishes. */
export interface PublishedProofKey {
  /** CryptoAPI PUBLICKEYBLOB, base64 (.NET's RSACryptoServiceProvider.ExportCspBlob(false)). */
  value: string;
  /** Big-endian RSA modulus and exponent, base64. */
  modulus: string;
  exponent: string;
}

/** The proof headers of one WOPI request. */
export interface ProofHeaderValues {
  'X-WOPI-Proof': string;
  'X-WOPI-ProofOld': string;
  'X-WOPI-TimeStamp': string;
}

/**
 * The demo editor's two proof-key pairs, current and old, as a WOPI client keeps them
 * (online/scenarios/proofkeys.rst): made once in the keys folder and kept, so a gateway that cached
 * the discovery document keeps trusting the editor across restarts. `rotate()` moves current to
 * old and makes a new current, which is what Office does and what the gateway must survive.
 */
export class ProofKeyPairStore {
  private current: KeyObject;
  private old: KeyObject;

  constructor(private readonly directory: string) {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    this.current = this.loadOrCreate(CURRENT_FILE);
    this.old = this.loadOrCreate(OLD_FILE);
  }

  /** Signs a request: X-WOPI-Proof with the current key, X-WOPI-ProofOld with the old one. */
  sign(input: { accessToken: string; url: string; nowMs?: number }): ProofHeaderValues {
    const timestampTicks = toDotNetTicks(input.nowMs ?? Date.now());
    const signed = proofSignedBytes({ accessToken: input.accessToken, url: input.url, timestampTicks });
    return {
      'X-WOPI-Proof': sign('sha256', signed, this.current).toString('base64'),
      'X-WOPI-ProofOld': sign('sha256', signed, this.old).toString('base64'),
      'X-WOPI-TimeStamp': timestampTicks.toString(),
    };
  }

  published(): { current: PublishedProofKey; old: PublishedProofKey } {
    return { current: publish(this.current), old: publish(this.old) };
  }

  /** The current key becomes the old one; a new current key is made and kept. */
  rotate(): void {
    writeKey(path.join(this.directory, OLD_FILE), this.current);
    const fresh = newKey();
    writeKey(path.join(this.directory, CURRENT_FILE), fresh);
    this.old = this.current;
    this.current = fresh;
  }

  private loadOrCreate(file: string): KeyObject {
    const location = path.join(this.directory, file);
    if (existsSync(location)) return createPrivateKey(readFileSync(location));
    const key = newKey();
    writeKey(location, key);
    return key;
  }
}

function newKey(): KeyObject {
  // 2048-bit RSA, exponent 65537: what Office for the web publishes.
  return generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 }).privateKey;
}

function writeKey(location: string, key: KeyObject): void {
  const temporary = `${location}.${process.pid}.tmp`;
  writeFileSync(temporary, key.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  renameSync(temporary, location);
}

function publish(privateKey: KeyObject): PublishedProofKey {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const modulus = Buffer.from(jwk.n!, 'base64url');
  const exponent = Buffer.from(jwk.e!, 'base64url');
  return {
    value: cspPublicKeyBlob(modulus, exponent),
    modulus: modulus.toString('base64'),
    exponent: exponent.toString('base64'),
  };
}

/**
 * CryptoAPI PUBLICKEYBLOB: BLOBHEADER (bType PUBLICKEYBLOB 0x06, bVersion 0x02, reserved, aiKeyAlg
 * CALG_RSA_KEYX 0xa400), RSAPUBKEY ("RSA1", bit length, public exponent), modulus; little-endian.
 */
function cspPublicKeyBlob(modulus: Buffer, exponent: Buffer): string {
  const header = Buffer.alloc(20);
  header.writeUInt8(0x06, 0);
  header.writeUInt8(0x02, 1);
  header.writeUInt16LE(0, 2);
  header.writeUInt32LE(0x0000a400, 4);
  header.write('RSA1', 8, 'latin1');
  header.writeUInt32LE(modulus.length * 8, 12);
  header.writeUInt32LE(exponent.readUIntBE(0, exponent.length), 16);
  return Buffer.concat([header, Buffer.from(modulus).reverse()]).toString('base64');
}
