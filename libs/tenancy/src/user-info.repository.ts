import { Injectable, Optional } from '@nestjs/common';
import { PrismaService } from '@wopi/db';
import { CacheInvalidationBus, ProcessCache } from '@wopi/redis';

const CACHE_NAME = 'user-info';
// Changes only through PutUserInfo, which invalidates it in every process.
const CACHE = { ttlMs: 10 * 60_000, maxEntries: 20_000 };
/** Stands for "no UserInfo stored": a cached absence saves the query just as well. */
const NONE = '\u0000none';

/** PutUserInfo's string per tenant and user, returned as CheckFileInfo UserInfo. */
@Injectable()
export class UserInfoRepository {
  private readonly cache: ProcessCache<string>;

  constructor(
    private readonly prisma: PrismaService,
    @Optional() private readonly invalidations?: CacheInvalidationBus,
  ) {
    this.cache = invalidations?.cache<string>(CACHE_NAME, CACHE) ?? new ProcessCache<string>(CACHE_NAME, CACHE);
  }

  async get(tenantId: string, userId: string): Promise<string | undefined> {
    const info = await this.cache.getOrLoad(keyOf(tenantId, userId), async () => {
      const row = await this.prisma.userInfo.findUnique({ where: { tenantId_userId: { tenantId, userId } } });
      return row?.info ?? NONE;
    });
    return info === NONE ? undefined : info;
  }

  async put(tenantId: string, userId: string, info: string): Promise<void> {
    await this.prisma.userInfo.upsert({
      where: { tenantId_userId: { tenantId, userId } },
      create: { tenantId, userId, info },
      update: { info },
    });
    const key = keyOf(tenantId, userId);
    if (this.invalidations) await this.invalidations.invalidate(CACHE_NAME, key);
    else this.cache.evict(key);
  }
}

function keyOf(tenantId: string, userId: string): string {
  return `${tenantId}\n${userId}`;
}
