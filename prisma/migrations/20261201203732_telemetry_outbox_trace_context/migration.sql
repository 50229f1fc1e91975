-- AlterTable
ALTER TABLE "write_back_outbox" ADD COLUMN     "trace_context" JSONB;
