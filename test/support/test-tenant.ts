import { randomBytes } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@wopi/db';
import { generateApiKey, SecretBox } from '@wopi/tenancy';
import { testSecrets } from './gateway-env';

export interface TestTenant {
  id: string;
  slug: string;
  /** The tenant's session API key, as a core app would hold it. */
  sessionApiKey: string;
}

/** A Prisma client on the run's database (or another one), for arranging and checking state. */
export function testPrisma(databaseUrl = process.env.DATABASE_URL!): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
}

/** A new tenant with a random slug: every test has its own, so test files run in parallel. */
export async function createTestTenant(
  prisma: PrismaClient,
  core: { baseUrl: string; credential: string },
  overrides: { accessTokenTtlMs?: number; coreAppTimeoutMs?: number; permissionCacheTtlMs?: number } = {},
): Promise<TestTenant> {
  const slug = `t-${randomBytes(6).toString('hex')}`;
  const tenant = await prisma.tenant.create({
    data: {
      slug,
      displayName: `Tenant ${slug}`,
      coreAppBaseUrl: core.baseUrl,
      coreAppCredential: new SecretBox(testSecrets().SECRETS_ENCRYPTION_KEY).seal(core.credential),
      // Tests change the core app's answers (faults, outside edits) and expect the next call to
      // see them: no reuse of its answers unless a test asks for it (production default: 30 s).
      permissionCacheTtlMs: 0,
      ...overrides,
    },
  });
  const key = generateApiKey();
  await prisma.apiKey.create({
    data: { tenantId: tenant.id, kind: 'SESSION', name: 'test core app', keyId: key.keyId, secretHash: key.secretHash },
  });
  return { id: tenant.id, slug, sessionApiKey: key.apiKey };
}

/**
 * A file row of a new tenant whose core app is never called (tests of the ledger, staging and the
 * outbox below the HTTP surfaces). Returns the file's and the tenant's ids.
 */
export async function createTestFile(prisma: PrismaClient): Promise<{ fileId: string; tenantId: string }> {
  const tenant = await createTestTenant(prisma, { baseUrl: 'http://127.0.0.1:1/core/v1', credential: 'unused' });
  const file = await prisma.file.create({
    data: {
      id: `f-${randomBytes(8).toString('hex')}`,
      tenantId: tenant.id,
      coreRef: 'r',
      name: 'a.docx',
      ownerId: 'alice',
    },
  });
  return { fileId: file.id, tenantId: tenant.id };
}

/** An admin key straight in the database, as `npm run admin -- create-admin-key` makes the first one. */
export async function createTestAdminKey(
  prisma: PrismaClient,
  scopes: string[],
  tenantId: string | null = null,
): Promise<string> {
  const key = generateApiKey();
  await prisma.apiKey.create({
    data: {
      kind: 'ADMIN',
      name: `test admin ${scopes.join('+')}`,
      tenantId,
      keyId: key.keyId,
      secretHash: key.secretHash,
      scopes,
    },
  });
  return key.apiKey;
}
