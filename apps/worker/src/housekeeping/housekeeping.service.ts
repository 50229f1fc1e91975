import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { JobName, QueueName } from '@wopi/jobs';
import { BLOB_STORE, type BlobStore } from '@wopi/blob-staging';
import { StagedBlobs } from '@wopi/file-registry';
import { AuditLogRepository, TenantRepository } from '@wopi/tenancy';
import type { Queue } from 'bullmq';

export const AUDIT_RETENTION_DAYS = Symbol('AUDIT_RETENTION_DAYS');

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;
// Older than any upload in progress or any save waiting between staging and its database row.
const STAGING_GRACE_MS = HOUR_MS;

/** Periodic clean-up. Schedules are upserted at start, so every worker agrees on one schedule. */
@Injectable()
export class HousekeepingService implements OnApplicationBootstrap {
  private readonly logger = new Logger(HousekeepingService.name);

  constructor(
    @InjectQueue(QueueName.Housekeeping) private readonly queue: Queue,
    private readonly auditLog: AuditLogRepository,
    @Inject(AUDIT_RETENTION_DAYS) private readonly auditRetentionDays: number,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    private readonly stagedBlobs: StagedBlobs,
    private readonly tenants: TenantRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Job schedulers with fixed ids: several workers upserting them still yield one job per period.
    // (With local-disk staging the sweep lands on one node at a time and sees only that node's
    // disk; with S3 staging (BLOB_STAGING_DRIVER=s3) every sweep sees all blobs. Two sweeps may
    // still overlap (a stalled job run again, a slow listing): each deletion is decided under the
    // blob's advisory lock, see sweepStaging.)
    await this.queue.upsertJobScheduler(
      JobName.PurgeAuditEvents,
      { every: DAY_MS },
      { name: JobName.PurgeAuditEvents },
    );
    await this.queue.upsertJobScheduler(JobName.SweepStaging, { every: HOUR_MS }, { name: JobName.SweepStaging });
    await this.queue.upsertJobScheduler(
      JobName.PurgeDeletedTenants,
      { every: HOUR_MS },
      { name: JobName.PurgeDeletedTenants },
    );
  }

  async purgeAuditEvents(): Promise<number> {
    const cutoff = new Date(Date.now() - this.auditRetentionDays * DAY_MS);
    const purged = await this.auditLog.purgeOlderThan(cutoff);
    this.logger.log({ purged, cutoff: cutoff.toISOString() }, 'audit events past retention removed');
    return purged;
  }

  /** Tenants deleted through the admin API whose grace period (TENANT_DELETION_GRACE_DAYS) is over. */
  async purgeDeletedTenants(): Promise<string[]> {
    const purged = await this.tenants.purgeExpiredDeletions();
    if (purged.length > 0) this.logger.log({ purged }, 'deleted tenants past their grace period removed');
    return purged;
  }

  /**
   * Removes staging leftovers: uploads cut off half-way, and blobs no version waiting for its
   * write-back refers to (e.g. a save whose database commit never happened). A blob a waiting
   * version needs is never touched, so a failed write-back keeps its bytes until an operator acts.
   * Safe with several nodes on one store and with sweeps that overlap: every deletion goes through
   * StagedBlobs.release under the blob's advisory lock, which re-checks that no waiting version
   * refers to it and that it was not staged again after the cutoff (a PutFile of the same bytes
   * on another node, not recorded yet). Removing an abandoned upload twice is harmless.
   */
  async sweepStaging(olderThanMs = STAGING_GRACE_MS): Promise<{ abandonedUploads: number; orphanBlobs: number }> {
    const cutoff = new Date(Date.now() - olderThanMs);
    const abandonedUploads = await this.blobs.removeAbandonedUploads(cutoff);
    let orphanBlobs = 0;
    for await (const key of this.blobs.keysStoredBefore(cutoff)) {
      orphanBlobs += (await this.stagedBlobs.release([key], { storedBefore: cutoff })).length;
    }
    this.logger.log({ abandonedUploads, orphanBlobs }, 'staging swept');
    return { abandonedUploads, orphanBlobs };
  }
}
