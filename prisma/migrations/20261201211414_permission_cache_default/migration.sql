-- AlterTable
ALTER TABLE "tenants" ALTER COLUMN "permission_cache_ttl_ms" SET DEFAULT 30000;
