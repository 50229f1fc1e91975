import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { BLOB_STORE, type BlobStore } from '@wopi/blob-staging';
import { pendingMigrations, PrismaService } from '@wopi/db';
import { REDIS } from '@wopi/redis';
import type Redis from 'ioredis';

export const MIGRATIONS_DIR = Symbol('MIGRATIONS_DIR');

const PROBE_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what} did not answer within ${PROBE_TIMEOUT_MS} ms`)),
        PROBE_TIMEOUT_MS,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Readiness of the things every request needs: PostgreSQL (migrated), Redis, and blob staging (saves). */
@Injectable()
export class DependencyHealthIndicators {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly prisma: PrismaService,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(MIGRATIONS_DIR) private readonly migrationsDir: string,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  async postgres() {
    const indicator = this.indicators.check('postgres');
    try {
      await withTimeout(this.prisma.$queryRaw`SELECT 1`, 'PostgreSQL');
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: errorMessage(error) });
    }
  }

  async migrations() {
    const indicator = this.indicators.check('migrations');
    try {
      const pending = await withTimeout(pendingMigrations(this.prisma, this.migrationsDir), 'PostgreSQL');
      return pending.length === 0 ? indicator.up() : indicator.down({ pending });
    } catch (error) {
      return indicator.down({ message: errorMessage(error) });
    }
  }

  /** The staging store (a folder, or an S3 bucket shared by the nodes): without it no save can be taken. */
  async staging() {
    const indicator = this.indicators.check('staging');
    try {
      await withTimeout(this.blobs.checkReachable(), 'Blob staging');
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: errorMessage(error) });
    }
  }

  async redisPing() {
    const indicator = this.indicators.check('redis');
    try {
      const answer = await withTimeout(this.redis.ping(), 'Redis');
      return answer === 'PONG' ? indicator.up() : indicator.down({ answer });
    } catch (error) {
      return indicator.down({ message: errorMessage(error) });
    }
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
