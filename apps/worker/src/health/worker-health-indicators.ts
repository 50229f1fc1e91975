import { Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { WorkerHost } from '@nestjs/bullmq';
import { HealthIndicatorService } from '@nestjs/terminus';

/**
 * The worker's own readiness check, beside the connection probes every process has
 * (ConnectionProbes): a running BullMQ worker on every queue it was configured to take (WORKER_JOBS). A worker whose queues stopped (closing on
 * SIGTERM, or never started) is not ready even when its connections are fine.
 */
@Injectable()
export class WorkerHealthIndicators {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly discovery: DiscoveryService,
  ) {}

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
