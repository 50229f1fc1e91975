#!/bin/sh
# Stand-in for Prisma's native schema-engine binary, which cannot be downloaded on our machines.
# prisma.config.ts points PRISMA_SCHEMA_ENGINE_BINARY here so `prisma generate`, `validate` and
# `format` run (they only check that the file exists). Migrations run through
# scripts/prisma-migrate.mjs, which drives Prisma's Wasm schema engine instead.
echo 'No native Prisma schema engine here. Use: npm run db:migrate -- <dev|deploy|status|diff|check|reset|resolve>' >&2
exit 1
