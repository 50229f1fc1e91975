-- AlterTable
ALTER TABLE "tenants" ADD COLUMN     "core_app_credential_next" TEXT,
ADD COLUMN     "core_app_credential_next_from" TIMESTAMPTZ(3),
ADD COLUMN     "deleted_at" TIMESTAMPTZ(3),
ADD COLUMN     "purge_after" TIMESTAMPTZ(3);
