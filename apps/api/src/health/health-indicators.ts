import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { BLOB_STORE, type BlobStore } from '@wopi/blob-staging';
import { pendingMigrations, PrismaService } from '@wopi/db';
import { probeErrorMessage, withinProbeTimeout } from '@wopi/health';

export const MIGRATIONS_DIR = Symbol('MIGRATIONS_DIR');

/**
 * The api's own readiness checks, beside the connection probes every process has (ConnectionProbes):
 * PostgreSQL fully migrated, and blob staging (saves) reachable.
 */
@Injectable()
export class DependencyHealthIndicators {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly prisma: PrismaService,
    @Inject(MIGRATIONS_DIR) private readonly migrationsDir: string,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  async migrations() {
    const indicator = this.indicators.check('migrations');
    try {
      const pending = await withinProbeTimeout(pendingMigrations(this.prisma, this.migrationsDir), 'PostgreSQL');
      return pending.length === 0 ? indicator.up() : indicator.down({ pending });
    } catch (error) {
      return indicator.down({ message: probeErrorMessage(error) });
    }
  }

  /** The staging store (a folder, or an S3 bucket shared by the nodes): without it no save can be taken. */
  async staging() {
    const indicator = this.indicators.check('staging');
    try {
      await withinProbeTimeout(this.blobs.checkReachable(), 'Blob staging');
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: probeErrorMessage(error) });
    }
  }
}
