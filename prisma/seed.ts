/**
 * Seeds the demo tenant: idempotent, so every `npm run demo` can run it. Real tenants are created
 * through the admin API; this exists for the local demo and its documentation only.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@wopi/db';
import { DemoSeedEnv, EnvValidationError, hashApiKeySecret, loadEnv, parseApiKey, SecretBox } from '@wopi/tenancy';

export const DEMO_TENANT_SLUG = 'demo';

async function seed(env: DemoSeedEnv): Promise<void> {
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: env.DATABASE_URL }) });
  try {
    const secrets = new SecretBox(env.SECRETS_ENCRYPTION_KEY);
    const tenantData = {
      displayName: 'Demo tenant',
      coreAppBaseUrl: env.DEMO_CORE_URL,
      coreAppCredential: secrets.seal(env.DEMO_CORE_API_SECRET),
    };
    const tenant = await prisma.tenant.upsert({
      where: { slug: DEMO_TENANT_SLUG },
      create: { slug: DEMO_TENANT_SLUG, ...tenantData },
      update: tenantData,
    });
    // Two WOPI clients: the built-in demo editor opens documents (the default), the WOPI
    // validator's stand-in opens .wopitest files; sessions pick by file type (or by name).
    await prisma.wopiClientProfile.upsert({
      where: { tenantId_name: { tenantId: tenant.id, name: 'demo-editor' } },
      create: {
        tenantId: tenant.id,
        name: 'demo-editor',
        kind: 'DEMO_EDITOR',
        discoveryUrl: env.DEMO_EDITOR_DISCOVERY_URL,
        proofKeysRequired: true,
        // Collabora (deploy/compose.yaml) is the default editor where it runs; else the demo editor.
        isDefault: env.DEMO_COLLABORA_DISCOVERY_URL === undefined,
      },
      update: {
        discoveryUrl: env.DEMO_EDITOR_DISCOVERY_URL,
        proofKeysRequired: true,
        isDefault: env.DEMO_COLLABORA_DISCOVERY_URL === undefined,
      },
    });
    await prisma.wopiClientProfile.upsert({
      where: { tenantId_name: { tenantId: tenant.id, name: 'wopi-validator' } },
      create: {
        tenantId: tenant.id,
        name: 'wopi-validator',
        kind: 'WOPI_VALIDATOR',
        discoveryUrl: env.DEMO_VALIDATOR_DISCOVERY_URL,
        proofKeysRequired: true,
        isDefault: false,
      },
      update: { discoveryUrl: env.DEMO_VALIDATOR_DISCOVERY_URL, proofKeysRequired: true, isDefault: false },
    });
    if (env.DEMO_COLLABORA_DISCOVERY_URL !== undefined) {
      // A real editor (deploy/compose.yaml): sessions open in Collabora unless they name a profile.
      await prisma.wopiClientProfile.upsert({
        where: { tenantId_name: { tenantId: tenant.id, name: 'collabora' } },
        create: {
          tenantId: tenant.id,
          name: 'collabora',
          kind: 'COLLABORA',
          discoveryUrl: env.DEMO_COLLABORA_DISCOVERY_URL,
          isDefault: true,
        },
        update: { discoveryUrl: env.DEMO_COLLABORA_DISCOVERY_URL, isDefault: true },
      });
    }
    const key = parseApiKey(env.DEMO_SESSION_API_KEY)!;
    await prisma.apiKey.upsert({
      where: { keyId: key.keyId },
      create: {
        tenantId: tenant.id,
        kind: 'SESSION',
        name: 'demo core app',
        keyId: key.keyId,
        secretHash: hashApiKeySecret(key.secret),
      },
      update: { tenantId: tenant.id, secretHash: hashApiKeySecret(key.secret), revokedAt: null },
    });
    if (env.DEMO_ADMIN_API_KEY) {
      // The demo's operator key: every scope, every tenant (npm run admin -- create-admin-key in production).
      const admin = parseApiKey(env.DEMO_ADMIN_API_KEY)!;
      const adminKey = { secretHash: hashApiKeySecret(admin.secret), scopes: ['read', 'write', 'support'] };
      await prisma.apiKey.upsert({
        where: { keyId: admin.keyId },
        create: { kind: 'ADMIN', name: 'demo operator', keyId: admin.keyId, ...adminKey },
        update: { ...adminKey, revokedAt: null },
      });
    }
    await prisma.auditEvent.create({
      data: {
        tenantId: tenant.id,
        actor: 'system:seed',
        action: 'tenant.seeded',
        target: `tenant:${DEMO_TENANT_SLUG}`,
      },
    });
    process.stdout.write(`seed: demo tenant "${DEMO_TENANT_SLUG}" ready (core app ${env.DEMO_CORE_URL})\n`);
  } finally {
    await prisma.$disconnect();
  }
}

Promise.resolve()
  .then(() => seed(loadEnv(DemoSeedEnv)))
  .catch((error: unknown) => {
    process.stderr.write(
      `seed failed: ${error instanceof EnvValidationError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
