import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findAction, importProofKeys, parseDiscovery, ProofKeyRule, verifyWopiProof } from '@wopi/wopi';
import { discoveryDocument } from '../discovery/discovery-document';
import { ProofKeyPairStore } from './proof-key-pair-store';

describe('the demo editor as the gateway sees it: discovery and proof keys', () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'demo-editor-keys-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const url = 'http://127.0.0.1:3000/wopi/files/abc?access_token=t%2E1&access_token_ttl=0';

  it('publishes keys the gateway imports from either form, and its signatures verify', () => {
    const store = new ProofKeyPairStore(directory);
    const discovery = parseDiscovery(
      discoveryDocument({ publicUrl: 'http://127.0.0.1:3200', keys: store.published() }),
    );
    const proof = store.sign({ accessToken: 't.1', url });
    const headers = {
      proof: proof['X-WOPI-Proof'],
      proofOld: proof['X-WOPI-ProofOld'],
      timestamp: proof['X-WOPI-TimeStamp'],
    };
    const { modulus, exponent, oldModulus, oldExponent, value, oldValue } = discovery.proofKey!;
    for (const published of [
      { modulus, exponent, oldModulus, oldExponent },
      { value, oldValue },
    ]) {
      const keys = importProofKeys(published);
      expect(verifyWopiProof({ ...headers, accessToken: 't.1', url, keys })).toEqual({
        valid: true,
        rule: ProofKeyRule.ProofWithCurrentKey,
      });
      // Another URL or token: not what was signed.
      expect(verifyWopiProof({ ...headers, accessToken: 't.2', url, keys }).valid).toBe(false);
    }
    expect(findAction(discovery, { ext: 'docx', action: 'edit' })?.action.urlsrc).toBe(
      'http://127.0.0.1:3200/editor/edit?<ui=UI_LLCC&><rs=DC_LLCC&><hid=HOST_SESSION_ID&>',
    );
    expect(findAction(discovery, { ext: 'xlsx', action: 'view' })).toBeDefined();
    expect(findAction(discovery, { ext: 'wopitest', action: 'view' })).toBeUndefined();
  });

  it('keeps its keys across restarts, private to its user, and survives a rotation as Office does', () => {
    const first = new ProofKeyPairStore(directory);
    const before = first.published();
    expect(new ProofKeyPairStore(directory).published()).toEqual(before);
    expect(statSync(path.join(directory, 'current.pem')).mode & 0o777).toBe(0o600);

    first.rotate();
    const after = first.published();
    expect(after.old).toEqual(before.current);
    expect(after.current).not.toEqual(before.current);
    // A gateway that still has the discovery from before the rotation accepts the new requests
    // through X-WOPI-ProofOld (signed with the key it knows as current).
    const proof = first.sign({ accessToken: 't.1', url });
    const stale = importProofKeys({
      modulus: before.current.modulus,
      exponent: before.current.exponent,
      oldModulus: before.old.modulus,
      oldExponent: before.old.exponent,
    });
    expect(
      verifyWopiProof({
        proof: proof['X-WOPI-Proof'],
        proofOld: proof['X-WOPI-ProofOld'],
        timestamp: proof['X-WOPI-TimeStamp'],
        accessToken: 't.1',
        url,
        keys: stale,
      }),
    ).toEqual({ valid: true, rule: ProofKeyRule.ProofOldWithCurrentKey });
  });
});
