import path from 'node:path';
import { defineConfig } from 'prisma/config';

// Prisma 7's CLI wants its native schema-engine binary for every command, generate included, and
// downloads it from a host our machines cannot reach. Point it at a stub: generate/validate/format
// only check that the file exists; migrations go through scripts/prisma-migrate.mjs (Wasm engine).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(__dirname, 'scripts', 'no-schema-engine.sh');

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations', seed: 'node dist/prisma/seed.js' },
  // process.env rather than env(): `prisma generate` must work without a database.
  datasource: { url: process.env.DATABASE_URL },
});
