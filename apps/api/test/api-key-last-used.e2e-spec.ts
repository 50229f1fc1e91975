/**
 * When a key was last used, as operators read it in the admin API's key listings: null for a key
 * never used, the time of its use once it authenticated a request, and at most one database write
 * per key and interval however many requests it makes. Writes are counted by PostgreSQL itself: a
 * trigger of this test's own logs every row update of `api_keys.last_used_at` for the keys here.
 */
import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { PrismaClient } from '@wopi/db';
import { ApiKeyUsage, parseApiKey } from '@wopi/tenancy';
import { createApp } from '../src/create-app';
import { startDemoCore, type RunningDemoCore } from '../../../test/support/demo-core';
import { testApiEnv } from '../../../test/support/gateway-env';
import { createTestAdminKey, createTestTenant, type TestTenant, testPrisma } from '../../../test/support/test-tenant';
import { waitFor } from '../../../test/support/wait-for';

interface KeyView {
  keyId: string;
  lastUsedAt: string | null;
}

describe('API keys: last use', () => {
  let app: NestFastifyApplication;
  let core: RunningDemoCore;
  let prisma: PrismaClient;
  let adminKey: string;
  // Names of this file's write log, so that test files running beside it are not affected.
  const log = `test_key_writes_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    core = await startDemoCore();
    prisma = testPrisma();
    await prisma.$executeRawUnsafe(`CREATE TABLE ${log} (key_id text NOT NULL, last_used_at timestamptz(3))`);
    await prisma.$executeRawUnsafe(
      `CREATE FUNCTION ${log}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ` +
        `INSERT INTO ${log} VALUES (NEW.key_id, NEW.last_used_at); RETURN NEW; END $$`,
    );
    await prisma.$executeRawUnsafe(
      `CREATE TRIGGER ${log} AFTER UPDATE OF last_used_at ON api_keys FOR EACH ROW EXECUTE FUNCTION ${log}()`,
    );
    adminKey = await createTestAdminKey(prisma, ['read', 'write']);
    app = await createApp(testApiEnv());
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await prisma.$executeRawUnsafe(`DROP TRIGGER IF EXISTS ${log} ON api_keys`);
    await prisma.$executeRawUnsafe(`DROP FUNCTION IF EXISTS ${log}()`);
    await prisma.$executeRawUnsafe(`DROP TABLE IF EXISTS ${log}`);
    await core?.close();
    await prisma?.$disconnect();
  });

  const keyIdOf = (key: string) => parseApiKey(key)!.keyId;
  const writesOf = async (keyId: string) =>
    (
      await prisma.$queryRawUnsafe<{ last_used_at: Date }[]>(
        `SELECT last_used_at FROM ${log} WHERE key_id = $1 ORDER BY last_used_at`,
        keyId,
      )
    ).map((row) => row.last_used_at.toISOString());

  /** A key as the admin API lists it, through every page (other test files add keys too). */
  async function listed(path: string, keyId: string): Promise<KeyView> {
    for (let after: string | null = ''; after !== null;) {
      const response = await app.inject({
        method: 'GET',
        url: `${path}?limit=100${after ? `&after=${after}` : ''}`,
        headers: { authorization: `Bearer ${adminKey}` },
      });
      expect(response.statusCode).toBe(200);
      const page = response.json() as { keys: KeyView[]; nextCursor: string | null };
      const found = page.keys.find((key) => key.keyId === keyId);
      if (found) return found;
      after = page.nextCursor;
    }
    throw new Error(`${keyId} is not listed at ${path}`);
  }
  const sessionKeyOf = (tenant: TestTenant) =>
    listed(`/admin/v1/tenants/${tenant.slug}/api-keys`, keyIdOf(tenant.sessionApiKey));

  async function openSession(tenant: TestTenant): Promise<void> {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      headers: { authorization: `Bearer ${tenant.sessionApiKey}` },
      payload: { fileRef: await core.refOf('Welcome.docx'), userId: 'alice' },
    });
    expect(response.statusCode).toBe(201);
  }

  it('lists a key never used with lastUsedAt null, and the time of its first call once used', async () => {
    const tenant = await createTestTenant(prisma, core);
    expect(await sessionKeyOf(tenant)).toMatchObject({ lastUsedAt: null });

    const before = Date.now();
    await openSession(tenant);
    const after = Date.now();
    // Recorded after the request was let through, without the request waiting for it.
    const { lastUsedAt } = await waitFor(async () => {
      const key = await sessionKeyOf(tenant);
      return key.lastUsedAt !== null && key;
    }, 'the session key’s last use');
    expect(Date.parse(lastUsedAt!)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(lastUsedAt!)).toBeLessThanOrEqual(after);
  });

  it('writes a key’s time once per interval, however many calls it makes', async () => {
    const tenant = await createTestTenant(prisma, core);
    const keyId = keyIdOf(tenant.sessionApiKey);
    const usage = app.get(ApiKeyUsage);

    const before = Date.now();
    await Promise.all(Array.from({ length: 25 }, () => openSession(tenant)));
    const after = Date.now();
    await usage.settled();
    const writes = await writesOf(keyId);
    expect(writes).toHaveLength(1);
    expect(Date.parse(writes[0])).toBeGreaterThanOrEqual(before);
    expect(Date.parse(writes[0])).toBeLessThanOrEqual(after);

    // Another burst within the interval (a minute): no write at all, the listed time is the first.
    await Promise.all(Array.from({ length: 25 }, () => openSession(tenant)));
    await usage.settled();
    expect(await writesOf(keyId)).toEqual(writes);
    expect(await sessionKeyOf(tenant)).toMatchObject({ lastUsedAt: writes[0] });
  });

  it('records admin keys the same way: listed with their last use, written at most once a minute', async () => {
    // Every request of this file used the admin key: one write, or (on a machine slow enough for the
    // file to take over a minute) writes at least a minute apart.
    await app.get(ApiKeyUsage).settled();
    const writes = (await writesOf(keyIdOf(adminKey))).map(Date.parse);
    expect(writes.length).toBeGreaterThanOrEqual(1);
    for (let i = 1; i < writes.length; i += 1) expect(writes[i] - writes[i - 1]).toBeGreaterThanOrEqual(60_000);
    expect(await listed('/admin/v1/admin-keys', keyIdOf(adminKey))).toMatchObject({
      lastUsedAt: new Date(Math.max(...writes)).toISOString(),
    });
  });
});
