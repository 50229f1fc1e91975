import { Injectable } from '@nestjs/common';
import { PrismaService } from '@wopi/db';

/** PutUserInfo's string per tenant and user, returned as CheckFileInfo UserInfo. */
@Injectable()
export class UserInfoRepository {
  constructor(private readonly prisma: PrismaService) {}

  async get(tenantId: string, userId: string): Promise<string | undefined> {
    const row = await this.prisma.userInfo.findUnique({ where: { tenantId_userId: { tenantId, userId } } });
    return row?.info;
  }

  async put(tenantId: string, userId: string, info: string): Promise<void> {
    await this.prisma.userInfo.upsert({
      where: { tenantId_userId: { tenantId, userId } },
      create: { tenantId, userId, info },
      update: { info },
    });
  }
}
