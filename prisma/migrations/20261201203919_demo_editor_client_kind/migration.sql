-- AlterEnum
ALTER TYPE "wopi_client_kind" ADD VALUE 'DEMO_EDITOR';
