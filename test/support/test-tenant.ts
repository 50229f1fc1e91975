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

/** A Prisma client on the run's database, for arranging and checking state. */
export function testPrisma(): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL! }) });
}

/** A new tenant with a random slug: every test has its own, so test files run in parallel. */
export async function createTestTenant(
  prisma: PrismaClient,
  core: { baseUrl: string; credential: string },
  overrides: { accessTokenTtlMs?: number } = {},
): Promise<TestTenant> {
  const slug = `t-${randomBytes(6).toString('hex')}`;
  const tenant = await prisma.tenant.create({
    data: {
      slug,
      displayName: `Tenant ${slug}`,
      coreAppBaseUrl: core.baseUrl,
      coreAppCredential: new SecretBox(testSecrets().SECRETS_ENCRYPTION_KEY).seal(core.credential),
      ...overrides,
    },
  });
  const key = generateApiKey();
  await prisma.apiKey.create({
    data: { tenantId: tenant.id, kind: 'SESSION', name: 'test core app', keyId: key.keyId, secretHash: key.secretHash },
  });
  return { id: tenant.id, slug, sessionApiKey: key.apiKey };
}
