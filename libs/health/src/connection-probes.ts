import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { PrismaService } from '@wopi/db';
import { REDIS } from '@wopi/redis';
import type Redis from 'ioredis';

// Below the 5 s a Kubernetes probe waits by default: a hung dependency reads as "down", not as a
// probe that timed out.
export const PROBE_TIMEOUT_MS = 2_000;

/** `promise`, or a rejection naming `what` once PROBE_TIMEOUT_MS have passed without an answer. */
export function withinProbeTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
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

/** The message a down indicator carries: the error's, never its stack or cause. */
export function probeErrorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The readiness checks of the connections every process has, the api and the worker alike:
 * PostgreSQL answers a query and Redis a PING, each within PROBE_TIMEOUT_MS.
 */
@Injectable()
export class ConnectionProbes {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly prisma: PrismaService,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async postgres() {
    const indicator = this.indicators.check('postgres');
    try {
      await withinProbeTimeout(this.prisma.$queryRaw`SELECT 1`, 'PostgreSQL');
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: probeErrorMessage(error) });
    }
  }

  async redisPing() {
    const indicator = this.indicators.check('redis');
    try {
      const answer = await withinProbeTimeout(this.redis.ping(), 'Redis');
      return answer === 'PONG' ? indicator.up() : indicator.down({ answer });
    } catch (error) {
      return indicator.down({ message: probeErrorMessage(error) });
    }
  }
}
