import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ConnectionProbes } from '@wopi/health';
import { WorkerHealthController } from './worker-health.controller';
import { WorkerHealthIndicators } from './worker-health-indicators';

/** Liveness and readiness over HTTP, loaded only when WORKER_HEALTH_PORT is set. */
@Module({
  // Terminus logs failed checks itself; the request log already records the 503.
  imports: [DiscoveryModule, TerminusModule.forRoot({ errorLogStyle: 'json', logger: false })],
  controllers: [WorkerHealthController],
  providers: [ConnectionProbes, WorkerHealthIndicators],
})
export class WorkerHealthModule {}
