-- AlterEnum
ALTER TYPE "write_back_state" ADD VALUE 'HELD';

-- AlterTable
ALTER TABLE "file_versions" ADD COLUMN     "held_at" TIMESTAMPTZ(3),
ADD COLUMN     "hold_reason" TEXT;
