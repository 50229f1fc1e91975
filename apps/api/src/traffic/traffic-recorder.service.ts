import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Prisma, PrismaService } from '@wopi/db';

/** One WOPI call or one opened session, as the traffic records count it. */
export interface TrafficEvent {
  tenantId: string;
  kind: 'wopi' | 'session';
  /** The WOPI operation, or the session's action. */
  operation: string;
  access?: 'view' | 'edit';
  extension?: string;
  country?: string;
}

export const TRAFFIC_FLUSH_INTERVAL_MS = 10_000;

/**
 * The gateway's own records for the roll-out traffic report (`npm run traffic-report`): counts
 * per minute by tenant, kind, operation, view/edit, file type and country, plus WOPI calls per
 * second for the peak rate. Counted in memory and written in one statement per table every
 * few seconds, and on shutdown, so a request pays a map update, never a database write.
 * A crash loses at most the last interval's counts.
 */
@Injectable()
export class TrafficRecorder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TrafficRecorder.name);
  private minutes = new Map<string, number>();
  private seconds = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly prisma: PrismaService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.flush(), TRAFFIC_FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  record(event: TrafficEvent, atMs = Date.now()): void {
    const minute = Math.floor(atMs / 60_000) * 60;
    const key = [
      minute,
      event.tenantId,
      event.kind,
      event.operation,
      event.access ?? '',
      event.extension ?? '',
      event.country ?? '',
    ].join('\t');
    this.minutes.set(key, (this.minutes.get(key) ?? 0) + 1);
    if (event.kind === 'wopi') {
      const second = `${Math.floor(atMs / 1000)}\t${event.tenantId}`;
      this.seconds.set(second, (this.seconds.get(second) ?? 0) + 1);
    }
  }

  /** Writes what was counted since the last flush (one flush at a time). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  private async write(): Promise<void> {
    const minutes = this.minutes;
    const seconds = this.seconds;
    if (minutes.size === 0 && seconds.size === 0) return;
    this.minutes = new Map();
    this.seconds = new Map();
    try {
      if (minutes.size > 0) {
        const rows = [...minutes].map(([key, count]) => [...key.split('\t'), count] as const);
        const column = (index: number) => rows.map((row) => row[index]);
        await this.prisma.$executeRaw`
          INSERT INTO traffic_minutes (minute, tenant_id, kind, operation, access, extension, country, count)
          SELECT to_timestamp(m), t::uuid, k, o, a, e, c, n
          FROM unnest(${column(0).map(Number)}::bigint[], ${column(1)}::text[], ${column(2)}::text[],
                      ${column(3)}::text[], ${column(4)}::text[], ${column(5)}::text[], ${column(6)}::text[],
                      ${column(7)}::int[]) AS r(m, t, k, o, a, e, c, n)
          ON CONFLICT (minute, tenant_id, kind, operation, access, extension, country)
          DO UPDATE SET count = traffic_minutes.count + EXCLUDED.count`;
      }
      if (seconds.size > 0) {
        const rows = [...seconds].map(([key, count]) => [...key.split('\t'), count] as const);
        await this.prisma.$executeRaw`
          INSERT INTO traffic_seconds (second, tenant_id, count)
          SELECT to_timestamp(s), t::uuid, n
          FROM unnest(${rows.map((row) => Number(row[0]))}::bigint[], ${rows.map((row) => row[1])}::text[],
                      ${rows.map((row) => row[2])}::int[]) AS r(s, t, n)
          ON CONFLICT (second, tenant_id) DO UPDATE SET count = traffic_seconds.count + EXCLUDED.count`;
      }
    } catch (error) {
      // Counts are statistics: losing one interval's worth beats blocking or growing without bound.
      this.logger.warn(
        { err: error instanceof Prisma.PrismaClientKnownRequestError ? error.code : error },
        'traffic records not written',
      );
    }
  }
}
