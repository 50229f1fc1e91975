import { Injectable } from '@nestjs/common';
import { type File, Prisma, PrismaService } from '@wopi/db';
import { mintFileId } from './file-id';

export interface RegisterFileInput {
  tenantId: string;
  coreRef: string;
  name: string;
  ownerId: string;
}

/** Tenant-scoped file IDs: one stable ID per (tenant, core ref), whoever opens it and from where. */
@Injectable()
export class FileRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Finds or mints the file's ID; the name and owner follow the core app's latest answer. */
  async register(input: RegisterFileInput): Promise<File> {
    const where = { tenantId_coreRef: { tenantId: input.tenantId, coreRef: input.coreRef } };
    try {
      return await this.prisma.file.upsert({
        where,
        create: { id: mintFileId(), ...input },
        update: { name: input.name, ownerId: input.ownerId, deletedAt: null },
      });
    } catch (error) {
      // Two first opens of one document race on the insert; the loser reads the winner's row.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        return this.prisma.file.update({ where, data: { name: input.name, ownerId: input.ownerId } });
      }
      throw error;
    }
  }

  async rename(fileId: string, name: string): Promise<void> {
    await this.prisma.file.update({ where: { id: fileId }, data: { name } });
  }

  async markDeleted(fileId: string): Promise<void> {
    await this.prisma.file.update({ where: { id: fileId }, data: { deletedAt: new Date() } });
  }

  /** The registered file of a core ref, if any (to find the lock of a sibling before overwriting it). */
  findByCoreRef(tenantId: string, coreRef: string): Promise<File | null> {
    return this.prisma.file.findFirst({ where: { tenantId, coreRef, deletedAt: null } });
  }

  /** A file of this tenant; a file ID of another tenant is not found (never read across tenants). */
  findForTenant(tenantId: string, fileId: string): Promise<File | null> {
    return this.prisma.file.findFirst({ where: { id: fileId, tenantId, deletedAt: null } });
  }
}
