import type { KeyObject } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { PrismaClient } from '@wopi/db';
import { createApp } from '../src/create-app';
import { startDemoCore, type RunningDemoCore } from '../../../test/support/demo-core';
import { openEditorSession } from '../../../test/support/editor-session';
import { testApiEnv } from '../../../test/support/gateway-env';
import { createTestTenant, testPrisma, type TestTenant } from '../../../test/support/test-tenant';
import {
  addDefaultWopiClient,
  generateProofKeyPair,
  type ProofKeyPair,
  proofHeaders,
  STAND_IN_URLSRC,
  startWopiClientStandIn,
} from './support/wopi-client-stand-in';
import { waitFor } from '../../../test/support/wait-for';

interface Session {
  fileId: string;
  accessToken: string;
}

const PUBLIC_BASE_URL = 'http://wopi.test';
const ACTIONS = [{ name: 'edit', ext: 'docx', urlsrc: STAND_IN_URLSRC }];

/**
 * Proof keys (online/scenarios/proofkeys.rst) against a stand-in WOPI client whose discovery
 * publishes keys made here: every WOPI request of a tenant whose client signs must verify.
 */
describe('proof keys', () => {
  let core: RunningDemoCore;
  let prisma: PrismaClient;
  let app: NestFastifyApplication;
  const closeLater: { close(): Promise<unknown> }[] = [];
  // Key generation is the slow part: one set for the file.
  let k0: ProofKeyPair;
  let k1: ProofKeyPair;
  let k2: ProofKeyPair;
  let k3: ProofKeyPair;

  /** A tenant whose default client is a fresh stand-in publishing `current`/`old`, and a session of it. */
  async function signingClient(current: ProofKeyPair, old?: ProofKeyPair, on = app) {
    const standIn = await startWopiClientStandIn({ current, old, actions: ACTIONS });
    closeLater.push(standIn);
    const tenant = await createTestTenant(prisma, core);
    await addDefaultWopiClient(prisma, tenant.id, { discoveryUrl: standIn.discoveryUrl, proofKeysRequired: true });
    const session = await open(on, tenant);
    // The session resolved the action URL, so discovery is fetched and cached.
    expect(standIn.discoveryFetches()).toBe(1);
    return { standIn, tenant, session };
  }

  async function open(on: NestFastifyApplication, tenant: TestTenant): Promise<Session> {
    return openEditorSession(on, tenant, { fileRef: await core.refOf('Welcome.docx'), userId: 'alice' });
  }

  /** CheckFileInfo signed like a WOPI client signs it; `signedUrl` defaults to the URL it calls. */
  async function checkFileInfo(
    session: Session,
    keys: { proof: KeyObject; proofOld?: KeyObject; timestampMs?: number; signedUrl?: string; host?: string },
    on = app,
  ): Promise<number> {
    const path = `/wopi/files/${session.fileId}?access_token=${encodeURIComponent(session.accessToken)}&access_token_ttl=0`;
    const headers = proofHeaders({
      accessToken: session.accessToken,
      url: keys.signedUrl ?? `${PUBLIC_BASE_URL}${path}`,
      proof: keys.proof,
      proofOld: keys.proofOld,
      timestampMs: keys.timestampMs,
    });
    const response = await on.inject({
      method: 'GET',
      url: path,
      headers: { ...headers, ...(keys.host ? { host: keys.host } : {}) },
    });
    return response.statusCode;
  }

  beforeAll(async () => {
    [k0, k1, k2, k3] = [generateProofKeyPair(), generateProofKeyPair(), generateProofKeyPair(), generateProofKeyPair()];
    core = await startDemoCore();
    prisma = testPrisma();
    app = await createApp(testApiEnv({ PUBLIC_BASE_URL }));
    await app.init();
  }, 60_000);

  afterAll(async () => {
    await app.close();
    for (const item of closeLater) await item.close();
    await core.close();
    await prisma.$disconnect();
  });

  it('accepts the three combinations proofkeys.rst allows, and nothing else', async () => {
    const { session } = await signingClient(k1, k0);
    // X-WOPI-Proof with the current key (X-WOPI-ProofOld with the old one, as clients send it).
    expect(await checkFileInfo(session, { proof: k1.privateKey, proofOld: k0.privateKey })).toBe(200);
    // X-WOPI-ProofOld with the current key: the client rotated, our copy is one key behind.
    expect(await checkFileInfo(session, { proof: k2.privateKey, proofOld: k1.privateKey })).toBe(200);
    // X-WOPI-Proof with the old key: we rotated, the client machine has not yet.
    expect(await checkFileInfo(session, { proof: k0.privateKey, proofOld: k3.privateKey })).toBe(200);
    // X-WOPI-ProofOld with the old key is not one of them.
    expect(await checkFileInfo(session, { proof: k3.privateKey, proofOld: k0.privateKey })).toBe(500);
  });

  it('refuses a request signed by a key that is not in discovery (500), after one refresh finds no such key', async () => {
    const { standIn, session } = await signingClient(k1, k0);
    expect(await checkFileInfo(session, { proof: k3.privateKey, proofOld: k2.privateKey })).toBe(500);
    expect(standIn.discoveryFetches()).toBe(2);
    // A proof by the right key still passes; a request without proof headers does not.
    expect(await checkFileInfo(session, { proof: k1.privateKey })).toBe(200);
    const unsigned = await app.inject({
      method: 'GET',
      url: `/wopi/files/${session.fileId}?access_token=${encodeURIComponent(session.accessToken)}`,
    });
    expect(unsigned.statusCode).toBe(500);
    expect(unsigned.headers['x-wopi-servererror']).toContain('missing-headers');
  });

  it('refuses a timestamp older than 20 minutes without fetching discovery', async () => {
    const { standIn, session } = await signingClient(k1, k0);
    const twentyOneMinutesAgo = Date.now() - 21 * 60 * 1000;
    expect(await checkFileInfo(session, { proof: k1.privateKey, timestampMs: twentyOneMinutesAgo })).toBe(500);
    // What the WOPI validator sends (ProofKeys.TimestampOlderThan20Min).
    expect(await checkFileInfo(session, { proof: k1.privateKey, timestampMs: Date.UTC(2015, 7, 17) })).toBe(500);
    expect(await checkFileInfo(session, { proof: k1.privateKey, timestampMs: Date.now() - 19 * 60 * 1000 })).toBe(200);
    expect(standIn.discoveryFetches()).toBe(1);
  });

  it('verifies the URL the client called, built from PUBLIC_BASE_URL, never from the Host header', async () => {
    const { session } = await signingClient(k1, k0);
    expect(await checkFileInfo(session, { proof: k1.privateKey, host: 'attacker.example' })).toBe(200);
    const path = `/wopi/files/${session.fileId}?access_token=${encodeURIComponent(session.accessToken)}&access_token_ttl=0`;
    expect(
      await checkFileInfo(session, {
        proof: k1.privateKey,
        host: 'attacker.example',
        signedUrl: `http://attacker.example${path}`,
      }),
    ).toBe(500);
    // The query string is part of what is signed.
    expect(await checkFileInfo(session, { proof: k1.privateKey, signedUrl: `${PUBLIC_BASE_URL}${path}&extra=1` })).toBe(
      500,
    );
  });

  it('follows a key rotation: the first request the cached keys refuse fetches discovery once and passes', async () => {
    const { standIn, session } = await signingClient(k1, k0);
    // The client rotated twice since our copy: it now signs with k3 (and k2 as the old key).
    standIn.setDiscovery({ current: k3, old: k2, actions: ACTIONS });
    expect(await checkFileInfo(session, { proof: k3.privateKey, proofOld: k2.privateKey })).toBe(200);
    expect(standIn.discoveryFetches()).toBe(2);
    expect(await checkFileInfo(session, { proof: k3.privateKey, proofOld: k2.privateKey })).toBe(200);
    expect(await checkFileInfo(session, { proof: k3.privateKey, proofOld: k2.privateKey })).toBe(200);
    expect(standIn.discoveryFetches()).toBe(2);
    // The keys our copy had are gone.
    expect(await checkFileInfo(session, { proof: k1.privateKey, proofOld: k0.privateKey })).toBe(500);
  });

  it('fetches the new keys behind a request signed with ProofOld by our current key (the client rotated once)', async () => {
    const { standIn, session } = await signingClient(k1, k0);
    standIn.setDiscovery({ current: k2, old: k1, actions: ACTIONS });
    expect(await checkFileInfo(session, { proof: k2.privateKey, proofOld: k1.privateKey })).toBe(200);
    await waitFor(() => standIn.discoveryFetches() === 2, 'the refresh behind the request', 10_000);
    // Now X-WOPI-Proof verifies with the current key: no further fetches.
    expect(await checkFileInfo(session, { proof: k2.privateKey, proofOld: k1.privateKey })).toBe(200);
    expect(standIn.discoveryFetches()).toBe(2);
  });

  it('turns a flood of bad proofs into at most one discovery fetch per interval, across instances', async () => {
    const other = await createApp(testApiEnv({ PUBLIC_BASE_URL }));
    await other.init();
    closeLater.push(other);
    const { standIn, session } = await signingClient(k1, k0);
    const forged = { proof: k3.privateKey, proofOld: k2.privateKey };
    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => checkFileInfo(session, forged, i % 2 === 0 ? app : other)),
    );
    expect(new Set(statuses)).toEqual(new Set([500]));
    expect(standIn.discoveryFetches()).toBe(2);
    // Genuine requests keep passing meanwhile.
    expect(await checkFileInfo(session, { proof: k1.privateKey, proofOld: k0.privateKey }, other)).toBe(200);
  });

  it('allows the next forced fetch once DISCOVERY_MIN_REFRESH_INTERVAL_MS has passed', async () => {
    const quick = await createApp(testApiEnv({ PUBLIC_BASE_URL, DISCOVERY_MIN_REFRESH_INTERVAL_MS: '3000' }));
    await quick.init();
    closeLater.push(quick);
    const { standIn, session } = await signingClient(k1, k0, quick);
    const forged = { proof: k3.privateKey };
    for (let i = 0; i < 5; i++) expect(await checkFileInfo(session, forged, quick)).toBe(500);
    expect(standIn.discoveryFetches()).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 3100));
    for (let i = 0; i < 5; i++) expect(await checkFileInfo(session, forged, quick)).toBe(500);
    expect(standIn.discoveryFetches()).toBe(3);
  });

  it('fails closed when the client discovery cannot be had', async () => {
    const { standIn, tenant } = await signingClient(k1, k0);
    await standIn.close();
    // A new instance has no copy in memory; Redis still has one, so requests go on being verified.
    const fresh = await createApp(testApiEnv({ PUBLIC_BASE_URL }));
    await fresh.init();
    closeLater.push(fresh);
    const session = await open(fresh, tenant);
    expect(await checkFileInfo(session, { proof: k1.privateKey }, fresh)).toBe(200);
    // A profile whose discovery was never fetched and cannot be: nothing verifies.
    const unreachable = await createTestTenant(prisma, core);
    await addDefaultWopiClient(prisma, unreachable.id, {
      discoveryUrl: 'http://127.0.0.1:1/hosting/discovery',
      proofKeysRequired: true,
    });
    const blind = await open(fresh, unreachable);
    expect(await checkFileInfo(blind, { proof: k1.privateKey }, fresh)).toBe(500);
  });

  it('asks nothing of tenants whose client does not sign', async () => {
    const standIn = await startWopiClientStandIn({ actions: ACTIONS });
    closeLater.push(standIn);
    const tenant = await createTestTenant(prisma, core);
    await addDefaultWopiClient(prisma, tenant.id, { discoveryUrl: standIn.discoveryUrl, proofKeysRequired: false });
    const session = await open(app, tenant);
    const response = await app.inject({
      method: 'GET',
      url: `/wopi/files/${session.fileId}?access_token=${encodeURIComponent(session.accessToken)}`,
    });
    expect(response.statusCode).toBe(200);
  });
});
