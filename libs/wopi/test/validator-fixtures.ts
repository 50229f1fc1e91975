// Test support (no production code imports it): the WOPI validator kept beside the repository
// (../shared/wopi-validator, or WOPI_VALIDATOR_DIR) provides its public test keys and the discovery
// document that publishes them. Read from there rather than copied, so the repo carries none of it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const validatorDir = process.env.WOPI_VALIDATOR_DIR ?? path.resolve(__dirname, '../../../../shared/wopi-validator');

/** One of the validator's test private keys (`current.pem` or `old.pem`). */
export function validatorProofKey(name: 'current.pem' | 'old.pem'): string {
  return readFileSync(path.join(validatorDir, 'data', 'proof-keys', name), 'utf8');
}

/** The validator's discovery document, as `node cli.mjs discovery --out` writes it. */
export function validatorDiscovery(): string {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'validator-discovery-')), 'discovery.xml');
  execFileSync(process.execPath, [path.join(validatorDir, 'cli.mjs'), 'discovery', '--out', out], { stdio: 'ignore' });
  return readFileSync(out, 'utf8');
}
