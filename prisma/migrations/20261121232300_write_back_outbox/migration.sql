-- AlterTable
ALTER TABLE "file_versions" ADD COLUMN     "write_back_error" TEXT;

-- AlterTable
ALTER TABLE "files" ADD COLUMN     "last_conflict_at" TIMESTAMPTZ(3),
ADD COLUMN     "write_back_lease_owner" TEXT,
ADD COLUMN     "write_back_lease_until" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "write_back_outbox" (
    "id" UUID NOT NULL,
    "version_id" UUID NOT NULL,
    "file_id" TEXT NOT NULL,
    "tenant_id" UUID NOT NULL,
    "user_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "enqueued_at" TIMESTAMPTZ(3),

    CONSTRAINT "write_back_outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "write_back_outbox_version_id_key" ON "write_back_outbox"("version_id");

-- CreateIndex
CREATE INDEX "write_back_outbox_created_at_idx" ON "write_back_outbox"("created_at");

-- AddForeignKey
ALTER TABLE "write_back_outbox" ADD CONSTRAINT "write_back_outbox_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "file_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "write_back_outbox" ADD CONSTRAINT "write_back_outbox_file_id_fkey" FOREIGN KEY ("file_id") REFERENCES "files"("id") ON DELETE CASCADE ON UPDATE CASCADE;
