-- AlterTable
ALTER TABLE "file_versions" ADD COLUMN     "edit_session" TEXT;

-- CreateTable
CREATE TABLE "conflict_copies" (
    "id" UUID NOT NULL,
    "file_id" TEXT NOT NULL,
    "edit_session" TEXT NOT NULL,
    "diverged_from" TEXT,
    "copy_ref" TEXT NOT NULL,
    "copy_name" TEXT NOT NULL,
    "copy_core_version" TEXT NOT NULL,
    "version_number" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "conflict_copies_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "conflict_copies_file_id_edit_session_key" ON "conflict_copies"("file_id", "edit_session");

-- AddForeignKey
ALTER TABLE "conflict_copies" ADD CONSTRAINT "conflict_copies_file_id_fkey" FOREIGN KEY ("file_id") REFERENCES "files"("id") ON DELETE CASCADE ON UPDATE CASCADE;
