import { Inject, Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { WorkerHost } from '@nestjs/bullmq';
import { HealthIndicatorService } from '@nestjs/terminus';
import { PrismaService } from '@wopi/db';
import { REDIS } from '@wopi/redis';
import type Redis from 'ioredis';

// Below the 5 s a Kubernetes probe waits by default: a hung dependency reads as "down", not as a
// probe that timed out.
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

/**
 * Readiness of a worker: the PostgreSQL and Redis its jobs use, and a running BullMQ worker on
 * every queue it was configured to take (WORKER_JOBS). A worker whose queues stopped (closing on
 * SIGTERM, or never started) is not ready even when its connections are fine.
 */
@Injectable()
export class WorkerHealthIndicators {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly discovery: DiscoveryService,
    private readonly prisma: PrismaService,
    @Inject(REDIS) private readonly redis: Redis,
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

  async redisPing() {
    const indicator = this.indicators.check('redis');
    try {
      const answer = await withTimeout(this.redis.ping(), 'Redis');
      return answer === 'PONG' ? indicator.up() : indicator.down({ answer });
    } catch (error) {
      return indicator.down({ message: errorMessage(error) });
    }
  }

  /** One entry per queue this worker takes: whether its BullMQ worker is running. */
  queues() {
    const indicator = this.indicators.check('queues');
    const states = Object.fromEntries(this.workerHosts().map((host) => [host.worker.name, queueState(host)]));
    const stopped = Object.entries(states).filter(([, state]) => state !== 'running');
    return Object.keys(states).length > 0 && stopped.length === 0 ? indicator.up(states) : indicator.down(states);
  }

  private workerHosts(): WorkerHost[] {
    return this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is WorkerHost => instance instanceof WorkerHost);
  }
}

function queueState(host: WorkerHost): 'running' | 'closing' | 'paused' | 'stopped' {
  let worker: WorkerHost['worker'];
  try {
    worker = host.worker;
  } catch {
    return 'stopped'; // not registered yet (the application is still starting)
  }
  if (worker.closing) return 'closing';
  if (worker.isPaused()) return 'paused';
  return worker.isRunning() ? 'running' : 'stopped';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
