-- AlterTable
ALTER TABLE "tenants" ADD COLUMN     "core_app_timeout_ms" INTEGER NOT NULL DEFAULT 5000,
ADD COLUMN     "permission_cache_ttl_ms" INTEGER NOT NULL DEFAULT 0;
