import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';

export const DATABASE_URL = Symbol('DATABASE_URL');

/** The Prisma client of a process, on the pure-JS pg adapter (no native engine; docs/adr/0003). */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  constructor(@Inject(DATABASE_URL) databaseUrl: string) {
    super({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
  }

  // Last, after in-flight requests and jobs (which still query) have finished: see CoreAppClient.
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}
