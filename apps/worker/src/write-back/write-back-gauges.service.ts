import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaService } from '@wopi/db';
import { QueueName } from '@wopi/jobs';
import { observeGauge, WopiMetricName } from '@wopi/telemetry';
import type { Queue } from 'bullmq';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/**
 * The write-back backlog as gauges, read when metrics are collected (an export or a scrape),
 * never on a timer: queue depth per state, the age of the oldest save not yet written back, and
 * the bytes held in staging for saves not yet confirmed. Every worker reports the same
 * deployment-wide values; dashboards take max(), not sum() (docs/metrics.md).
 */
@Injectable()
export class WriteBackGaugesService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly stops: (() => void)[] = [];

  constructor(
    @InjectQueue(QueueName.WriteBack) private readonly queue: Queue,
    private readonly prisma: PrismaService,
  ) {}

  onApplicationBootstrap(): void {
    this.stops.push(
      observeGauge(
        WopiMetricName.WriteBackQueueDepth,
        { description: 'Write-back jobs by state', unit: '{job}' },
        async () => {
          const counts = await this.queue.getJobCounts(...QUEUE_STATES);
          return QUEUE_STATES.map((state) => ({
            value: counts[state] ?? 0,
            attributes: { 'wopi.queue.state': state },
          }));
        },
      ),
      observeGauge(
        WopiMetricName.WriteBackOldestPendingAge,
        { description: 'Age of the oldest save not yet confirmed by its core app', unit: 's' },
        async () => {
          const oldest = await this.prisma.writeBackOutbox.findFirst({
            orderBy: { createdAt: 'asc' },
            select: { createdAt: true },
          });
          return [{ value: oldest ? Math.max(0, (Date.now() - oldest.createdAt.getTime()) / 1000) : 0 }];
        },
      ),
      observeGauge(
        WopiMetricName.StagingBytes,
        { description: 'Bytes of saved content in blob staging, waiting for their write-back', unit: 'By' },
        async () => {
          const staged = await this.prisma.fileVersion.aggregate({
            where: { writeBackState: 'PENDING', blobKey: { not: null } },
            _sum: { sizeBytes: true },
          });
          return [{ value: Number(staged._sum.sizeBytes ?? 0n) }];
        },
      ),
    );
  }

  onApplicationShutdown(): void {
    this.stops.forEach((stop) => stop());
  }
}
