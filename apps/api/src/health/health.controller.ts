import { Controller, Get, UseFilters } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { ConnectionProbes } from '@wopi/health';
import { HealthCheckErrorFilter } from './health-check-error.filter';
import { DependencyHealthIndicators } from './health-indicators';

@Controller()
@UseFilters(HealthCheckErrorFilter)
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly connections: ConnectionProbes,
    private readonly dependencies: DependencyHealthIndicators,
  ) {}

  /** Liveness: the process answers. Never checks dependencies (a Redis outage must not restart pods). */
  @Get('healthz')
  @HealthCheck()
  liveness() {
    return this.health.check([]);
  }

  /** Readiness: PostgreSQL reachable and fully migrated, Redis and blob staging reachable; 503 otherwise. */
  @Get('readyz')
  @HealthCheck()
  readiness() {
    return this.health.check([
      () => this.connections.postgres(),
      () => this.dependencies.migrations(),
      () => this.connections.redisPing(),
      () => this.dependencies.staging(),
    ]);
  }
}
