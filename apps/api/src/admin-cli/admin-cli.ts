import { parseArgs } from 'node:util';
import type { PrismaClient } from '@wopi/db';
import { generateApiKey } from '@wopi/tenancy';
import { ADMIN_SCOPES, type AdminScope } from '../tenant-admin/admin-scope';

export const USAGE = `usage: npm run admin -- create-admin-key --name <who holds it> --scopes read,write,support [--tenant <slug>]

Creates an admin API key directly in the database (DATABASE_URL): the way to the first key, from
which every other is made through the admin API. The key is printed once, as JSON on stdout.`;

export class AdminCliUsageError extends Error {}

export interface CreatedAdminKey {
  keyId: string;
  name: string;
  scopes: AdminScope[];
  tenant: string | null;
  key: string;
}

/** Runs one command line; returns what to print. */
export async function runAdminCli(argv: string[], prisma: PrismaClient): Promise<CreatedAdminKey> {
  const [command, ...rest] = argv;
  if (command !== 'create-admin-key')
    throw new AdminCliUsageError(command ? `unknown command "${command}"` : 'no command');
  const { values } = parseArgs({
    args: rest,
    options: { name: { type: 'string' }, scopes: { type: 'string' }, tenant: { type: 'string' } },
    strict: true,
  });
  const name = values.name?.trim();
  if (!name) throw new AdminCliUsageError('--name is required');
  const scopes = (values.scopes ?? '')
    .split(',')
    .map((scope) => scope.trim())
    .filter(Boolean);
  const unknown = scopes.filter((scope) => !(ADMIN_SCOPES as string[]).includes(scope));
  if (scopes.length === 0 || unknown.length > 0)
    throw new AdminCliUsageError(
      `--scopes must list some of ${ADMIN_SCOPES.join(', ')}${unknown.length ? ` (not ${unknown.join(', ')})` : ''}`,
    );
  let tenantId: string | null = null;
  if (values.tenant !== undefined) {
    const tenant = await prisma.tenant.findFirst({ where: { slug: values.tenant, deletedAt: null } });
    if (!tenant) throw new AdminCliUsageError(`no tenant "${values.tenant}"`);
    tenantId = tenant.id;
  }
  const generated = generateApiKey();
  await prisma.apiKey.create({
    data: { kind: 'ADMIN', name, scopes, tenantId, keyId: generated.keyId, secretHash: generated.secretHash },
  });
  await prisma.auditEvent.create({
    data: {
      tenantId,
      actor: 'operator:cli',
      action: 'api_key.created',
      target: `api_key:${generated.keyId}`,
      details: {
        before: null,
        after: { keyId: generated.keyId, name, kind: 'admin', scopes, tenant: values.tenant ?? null },
      },
    },
  });
  return {
    keyId: generated.keyId,
    name,
    scopes: scopes as AdminScope[],
    tenant: values.tenant ?? null,
    key: generated.apiKey,
  };
}
