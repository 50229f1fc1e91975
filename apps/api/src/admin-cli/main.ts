/** `npm run admin -- <command>`: operator commands that work on the database directly (admin-cli.ts). */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@wopi/db';
import { AdminCliEnv, EnvValidationError, loadEnv } from '@wopi/tenancy';
import { AdminCliUsageError, runAdminCli, USAGE } from './admin-cli';

async function main(): Promise<void> {
  const env = loadEnv(AdminCliEnv);
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: env.DATABASE_URL }) });
  try {
    const created = await runAdminCli(process.argv.slice(2), prisma);
    process.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
    process.stderr.write('admin key created; it is shown this once, keep it in your secret store\n');
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((error: unknown) => {
  if (error instanceof AdminCliUsageError) process.stderr.write(`${error.message}\n\n${USAGE}\n`);
  else if (error instanceof EnvValidationError) process.stderr.write(`${error.message}\n`);
  else process.stderr.write(`admin failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof AdminCliUsageError ? 2 : 1);
});
