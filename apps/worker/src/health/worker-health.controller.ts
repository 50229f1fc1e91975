import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { ConnectionProbes } from '@wopi/health';
import { WorkerHealthIndicators } from './worker-health-indicators';

/** The worker's only HTTP surface: the probes of an orchestrator. */
@Controller()
export class WorkerHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly connections: ConnectionProbes,
    private readonly indicators: WorkerHealthIndicators,
  ) {}

  /** Liveness: the process answers. Never checks dependencies (a Redis outage must not restart pods). */
  @Get('healthz')
  @HealthCheck()
  liveness() {
    return this.health.check([]);
  }

  /** Readiness: PostgreSQL and Redis reachable, a running BullMQ worker on each of its queues; 503 otherwise. */
  @Get('readyz')
  @HealthCheck()
  readiness() {
    return this.health.check([
      () => this.connections.postgres(),
      () => this.connections.redisPing(),
      () => this.indicators.queues(),
    ]);
  }
}
