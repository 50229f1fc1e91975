-- CreateEnum
CREATE TYPE "version_origin" AS ENUM ('WOPI', 'CORE_APP');

-- AlterTable
ALTER TABLE "file_versions" ADD COLUMN     "modified_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "origin" "version_origin" NOT NULL DEFAULT 'WOPI',
ALTER COLUMN "sha256" DROP NOT NULL,
ALTER COLUMN "saved_by" DROP NOT NULL;
