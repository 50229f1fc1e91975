import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { PrismaService, type WriteBackOutbox } from '@wopi/db';
import { JobName, QueueName } from '@wopi/jobs';
import type { JobsOptions, Queue } from 'bullmq';
import { type WriteBackJob, writeBackJobId } from './write-back-job';

export const WRITE_BACK_SETTINGS = Symbol('WRITE_BACK_SETTINGS');

export interface WriteBackSettings {
  /** Attempts before a job is left failed for an operator (exponential backoff in between). */
  attempts: number;
  /** First retry delay; each further retry doubles it. */
  backoffMs: number;
}

/**
 * Moves outbox rows onto the write-back queue. The api calls `enqueue` right after a save commits;
 * the worker's relay calls `relay` on a timer for whatever a crash or a Redis restart left behind.
 */
@Injectable()
export class WriteBackScheduler {
  private readonly logger = new Logger(WriteBackScheduler.name);

  constructor(
    @InjectQueue(QueueName.WriteBack) private readonly queue: Queue<WriteBackJob>,
    private readonly prisma: PrismaService,
    @Inject(WRITE_BACK_SETTINGS) private readonly settings: WriteBackSettings,
  ) {}

  /** Best effort: a failure here loses nothing, the relay enqueues the row later. */
  async enqueue(versionId: string): Promise<void> {
    try {
      const row = await this.prisma.writeBackOutbox.findUnique({ where: { versionId }, include: { version: true } });
      if (row) await this.add(row, row.version.number);
    } catch (error) {
      this.logger.warn({ versionId, err: error }, 'write-back not enqueued now; the outbox relay will');
    }
  }

  /**
   * enqueue() for a save just recorded, from the rows its transaction wrote (VersionLedger.
   * recordWopiSave returns them): nothing is read back. Best effort, like enqueue().
   */
  async enqueueRecorded(save: { number: number; outbox: WriteBackOutbox }): Promise<void> {
    try {
      await this.add(save.outbox, save.number);
    } catch (error) {
      this.logger.warn(
        { versionId: save.outbox.versionId, err: error },
        'write-back not enqueued now; the outbox relay will',
      );
    }
  }

  /**
   * Enqueues a version an operator released from hold (ADR 0021). Its earlier job finished (it
   * completed as held) and still sits under the same deterministic id, which would make a plain
   * add a no-op, so it goes first.
   */
  async requeue(versionId: string): Promise<void> {
    const finished = await this.queue.getJob(writeBackJobId(versionId));
    if (finished && (await finished.isCompleted())) await finished.remove();
    await this.enqueue(versionId);
  }

  /**
   * Enqueues outbox rows never enqueued (older than `graceMs`, so the api's own enqueue goes first)
   * and rows whose job vanished (Redis lost it). Returns how many jobs it added.
   */
  async relay(graceMs: number, limit = 500): Promise<number> {
    const rows = await this.prisma.writeBackOutbox.findMany({
      where: { createdAt: { lt: new Date(Date.now() - graceMs) } },
      orderBy: { createdAt: 'asc' },
      take: limit,
    });
    // The usual round finds nothing: then no second query (an `include` would still send one, for
    // no ids, on every tick of every worker).
    if (rows.length === 0) return 0;
    const versions = await this.prisma.fileVersion.findMany({
      where: { id: { in: rows.map((row) => row.versionId) } },
      select: { id: true, number: true },
    });
    const numberOf = new Map(versions.map((version) => [version.id, version.number]));
    let added = 0;
    for (const row of rows) {
      const versionNumber = numberOf.get(row.versionId);
      // The version is gone since the row was read (its file was deleted): nothing to write back.
      if (versionNumber === undefined) continue;
      const job = row.enqueuedAt ? await this.queue.getJob(writeBackJobId(row.versionId)) : undefined;
      if (!job) {
        await this.add(row, versionNumber);
        added++;
      }
    }
    return added;
  }

  private async add(row: WriteBackOutbox, versionNumber: number): Promise<void> {
    const data: WriteBackJob = {
      tenantId: row.tenantId,
      fileId: row.fileId,
      versionId: row.versionId,
      versionNumber,
      userId: row.userId,
      savedAtMs: row.createdAt.getTime(),
      ...traceOf(row),
    };
    const options: JobsOptions = {
      jobId: writeBackJobId(row.versionId),
      attempts: this.settings.attempts,
      backoff: { type: 'exponential', delay: this.settings.backoffMs },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      // Failed jobs stay until an operator retries or discards them (admin API).
      removeOnFail: false,
    };
    await this.queue.add(JobName.WriteBackFile, data, options);
    // updateMany: one statement without reading the row back (update() returns it).
    await this.prisma.writeBackOutbox.updateMany({ where: { id: row.id }, data: { enqueuedAt: new Date() } });
  }
}

/** The save's trace context, stored with the outbox row (absent when tracing was off). */
function traceOf(row: WriteBackOutbox): Pick<WriteBackJob, 'trace'> {
  const stored = row.traceContext;
  if (!stored || typeof stored !== 'object' || Array.isArray(stored)) return {};
  const trace = Object.fromEntries(Object.entries(stored).filter(([, value]) => typeof value === 'string')) as Record<
    string,
    string
  >;
  return trace.traceparent ? { trace } : {};
}
