import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { WriteBackScheduler } from '@wopi/file-registry';

export const WRITE_BACK_RELAY_INTERVAL_MS = Symbol('WRITE_BACK_RELAY_INTERVAL_MS');

/**
 * The outbox relay: every few seconds, enqueue the saved versions that have no write-back job
 * (the api crashed between commit and enqueue, or Redis lost its data). Deterministic job ids make
 * it safe for every worker instance to run it.
 */
@Injectable()
export class WriteBackRelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WriteBackRelayService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly scheduler: WriteBackScheduler,
    @Inject(WRITE_BACK_RELAY_INTERVAL_MS) private readonly intervalMs: number,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.relay().finally(() => (this.running = undefined));
    }, this.intervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async relay(): Promise<void> {
    try {
      const added = await this.scheduler.relay(this.intervalMs);
      if (added > 0) this.logger.log({ added }, 'write-backs re-enqueued from the outbox');
    } catch (error) {
      this.logger.warn({ err: error }, 'outbox relay failed; next round retries');
    }
  }
}
