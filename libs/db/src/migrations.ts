import { readdir } from 'node:fs/promises';
import type { PrismaService } from './prisma.service';

/** Names of the migrations in prisma/migrations that are not applied (or failed) in the database. */
export async function pendingMigrations(prisma: PrismaService, migrationsDir: string): Promise<string[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const expected = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  const applied = await prisma.$queryRaw<{ migration_name: string }[]>`
    SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`.catch(
    (error: unknown) => {
      // No bookkeeping table yet means nothing was ever migrated.
      if (String(error).includes('_prisma_migrations')) return [];
      throw error;
    },
  );
  const done = new Set(applied.map((r) => r.migration_name));
  return expected.filter((name) => !done.has(name)).sort();
}
